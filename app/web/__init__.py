"""Web plumbing shared by every feature: sessions, htmx helpers, access checks, headers, errors."""
