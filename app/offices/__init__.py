"""Offices: their details and letterhead, installation-wide administrators, first setup."""
