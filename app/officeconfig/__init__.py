"""Per-office settings stored in the database: a typed registry of definitions, the store, the admin page."""
