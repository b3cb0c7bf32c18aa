"""People, tools, vendors, subscription terms, accounts, exchange rates and settings: the inventory
itself and its audited edits.
"""
