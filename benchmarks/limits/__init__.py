"""The limits the CLI's reports and exports are measured against: each script imports
`sqlalchemy.orm` (the floor every stackadmin command pays), then answers the same question
with the database driver alone (sqlite3, or psycopg for PostgreSQL), one SQL pass per table,
the counts, sums and unused rules as SQL conditions, and writes the same JSON or CSV.
Arithmetic on money and dates uses stackadmin's pure rules (`stackadmin.domain`,
`stackadmin.services.records`: no database code), so the answer is the same to the byte;
tests/benchmarks/test_limits.py checks it on the small demo.

Run: python -m benchmarks.limits.<name> DB [--as-of DATE] ... (DB: a SQLite file or a
postgresql+psycopg:// URL)."""
