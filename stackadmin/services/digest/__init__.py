"""The digest: a periodic e-mail of what needs the stack's owner (renewals to decide,
unused seats and savings, failed syncs, broken or unverified connections, people who left
and still hold seats), composed from small section functions, rendered as plain text and
HTML, and sent over SMTP with STARTTLS or implicit TLS.

A new section is one function `(source) -> Section | None` added to `sections.SECTIONS`.
"""
