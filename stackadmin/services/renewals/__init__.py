"""Renewals: each term's current cycle and cancel-by date, the reminders that fall due before it,
the decisions taken, and the calendar export.
"""
