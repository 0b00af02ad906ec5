"""Operations on the whole database: backups and restores (and, later, retention)."""
