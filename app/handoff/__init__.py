"""Hand-off exports: one interview as JSON (published schema) and the cases of a period as CSV."""
