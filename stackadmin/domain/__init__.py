"""Pure rules of the inventory: money, terms, renewals, utilization. No Qt, no SQL."""
