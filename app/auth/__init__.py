"""Offices, accounts, roles, login throttling and server-side sessions."""
