"""Data protection: retention (anonymise or delete past configured periods) and subject-access exports (art. 15)."""
