"""Renewal reminders in the window: the panel at the bottom, and the actions it offers (open,
snooze, acknowledge, decide)."""
