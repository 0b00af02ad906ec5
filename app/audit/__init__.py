"""Append-only, hash-chained audit events: who did what to which record, never the content."""
