"""stackadmin:// links: what the digest e-mail writes (stackadmin://renewals?term_id=3) and
the app opens — a page of the main window and, for some, the row or record to show.

    stackadmin://renewals?term_id=3        the Renewals page, that term selected
    stackadmin://savings?tool_id=4         the Savings page, that tool's unused seats
    stackadmin://person?person_id=2        that person's page
    stackadmin://tool?tool_id=5            that tool's page
    stackadmin://connections?connection_id=1   the Connections page, that connection's history
    stackadmin://requests?request_id=2     the Requests page, that request selected
    stackadmin://integrations              a page alone

`parse_link` turns such a text into an `AppLink` or says in words what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from stackadmin.domain.limits import MAX_ID

SCHEME = "stackadmin"
MIME_TYPE = f"x-scheme-handler/{SCHEME}"

# Each page a link may open, with the ids it takes (the first one named is what the page
# selects or shows); a page whose ids are `required` shows nothing without one.
PAGES: dict[str, tuple[str, ...]] = {
    "dashboard": (), "tools": ("tool_id",), "renewals": ("term_id",), "people": (),
    "seats": ("tool_id",), "savings": ("tool_id",), "requests": ("request_id",),
    "feedback": ("tool_id",), "consolidation": (), "connections": ("connection_id",),
    "map": (), "onboarding": (), "integrations": (), "activity": (), "settings": (),
    "person": ("person_id",), "tool": ("tool_id",), "request": ("request_id",),
}
REQUIRED = frozenset({"person", "tool", "request"})
# What an id names, in words ("there is no term 7").
ID_WORDS = {"term_id": "term", "tool_id": "tool", "person_id": "person",
            "connection_id": "connection", "request_id": "request"}


class LinkError(ValueError):
    """A link that names no page of the app, or a page with ids it does not take; the
    message says which, in words."""


@dataclass(frozen=True, slots=True)
class AppLink:
    page: str
    target: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        query = f"?{urlencode(self.target)}" if self.target else ""
        return f"{SCHEME}://{self.page}{query}"


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_link(text: str) -> AppLink:
    """`stackadmin://renewals?term_id=3` → AppLink("renewals", {"term_id": 3}). Also taken:
    `stackadmin:renewals?…`, a trailing slash, upper-case page names. LinkError otherwise."""
    raw = (text or "").strip()
    shown = _cut(raw)
    if not raw:
        raise LinkError("the link is empty")
    try:
        parts = urlsplit(raw)
    except ValueError:
        raise LinkError(f"'{shown}' is not a link") from None
    if parts.scheme.lower() != SCHEME:
        raise LinkError(f"'{shown}' is not a {SCHEME}:// link")
    # stackadmin://renewals puts the page in the host; stackadmin:renewals in the path.
    page = (parts.netloc or parts.path).strip("/").lower()
    if parts.netloc and parts.path.strip("/"):
        raise LinkError(f"'{shown}' names more than a page ({parts.netloc}/…)")
    if not page:
        raise LinkError(f"'{shown}' names no page")
    if page not in PAGES:
        raise LinkError(f"'{_cut(page, 40)}' is not a page of stackadmin (the link was "
                        f"'{shown}')")
    allowed = PAGES[page]
    target: dict[str, int] = {}
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise LinkError(f"'{shown}': '{_cut(parts.query, 40)}' is not of the form "
                        "name=value") from None
    for name, value in pairs:
        if name not in allowed:
            takes = (f"takes {' or '.join(allowed)}" if allowed else "takes nothing after it")
            raise LinkError(f"the {page} page {takes}, not '{_cut(name, 40)}' (the link was "
                            f"'{shown}')")
        if name in target:
            raise LinkError(f"'{shown}' gives {name} twice")
        words = ID_WORDS.get(name, name)
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            raise LinkError(f"'{_cut(value, 40)}' is not a {words} id (a whole number from "
                            f"1; the link was '{shown}')")
        target[name] = int(value)
    if page in REQUIRED and not target:
        raise LinkError(f"the {page} page needs {allowed[0]} (the link was '{shown}')")
    return AppLink(page, target)
