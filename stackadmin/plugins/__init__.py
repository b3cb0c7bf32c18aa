"""Vendor plugins: the contract they implement and the built-in ones (pull seats and activity)."""
