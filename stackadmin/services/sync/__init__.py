"""Vendor sync: the configured integrations (their options, secret and schedule), running a
plugin's fetch and reconciling what it returns with a tool's accounts (and, for the company
directory, the people list) in one transaction, the history of runs, and what is due.

integrations: add, edit, remove, test, list · engine: sync, stage/preview/apply ·
reconcile: the plan of a sync · apply: writing it · directory: the people list ·
schedule: what is due, failures told once · history: the runs · config: interval, brake.
"""
