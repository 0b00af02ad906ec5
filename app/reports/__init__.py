"""Interview reports: data, PDF layout, office PKI, PAdES signing and verification (no Flask, no database)."""
