"""Figures for the head of the centre: a period's applications, interviews, deadlines, reasons, referrals and calls."""
