"""Vendor sync: the configured integrations, their runs, and reconciling what a vendor plugin
returns with the inventory.
"""
