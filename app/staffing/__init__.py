"""Staff sections, rotating groups and the rota, absences, and the telephone duty."""
