"""PDF foundations shared by reports, referral exports and the privacy export: fonts and paragraph styles."""
