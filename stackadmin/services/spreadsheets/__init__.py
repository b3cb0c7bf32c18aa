"""Spreadsheets: the CSV imports (fields, header mapping, plans of changes) and the CSV exports for
finance, seat owners, auditors and HR.
"""
