"""Demo data: an office, one account per role, and whatever each feature adds."""
