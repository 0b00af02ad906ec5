"""Administrator pages: the office's user accounts and their roles."""
