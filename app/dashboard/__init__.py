"""Composition: the supervisor's dashboard over reports, referrals, cases and the rota."""
