"""Use cases: every change to the inventory goes through here, with its audit event."""
