"""Psychological-support referrals: flag review in the interview, consent, the psychologists' list, exports, mail."""
