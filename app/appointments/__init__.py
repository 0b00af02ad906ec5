"""Visits by prior arrangement: places and desks with a one-client capacity, reasons with checklists, bookings,
the reception's day, confirmations and reminders."""
