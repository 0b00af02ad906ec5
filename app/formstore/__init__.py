"""Form versions in the database: uploaded, checked, previewed and published per office without a code change."""
