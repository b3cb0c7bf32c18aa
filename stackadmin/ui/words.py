"""The inventory's closed vocabularies in words for people ("Per seat", not `per_seat`).

The stored values (domain.vocab) stay what the CLI, the CSV files and the database use;
forms and filters show these labels and hand the values back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PRICING = {"per_seat": "Per seat", "flat": "Flat fee"}
TERM_STATUS = {"active": "Active", "renewed": "Renewed", "cancelled": "Cancelled",
               "ended": "Ended"}
PERSON_STATUS = {"active": "Active", "departed": "Departed"}
ROLE = {"owner": "Owner", "admin": "Admin", "billing": "Billing", "member": "Member",
        "guest": "Guest"}
ACCOUNT_STATUS = {"active": "Active", "invited": "Invited", "suspended": "Suspended",
                  "deprovisioned": "Deprovisioned"}
DECISION = {"undecided": "Undecided", "renew": "Renew", "renegotiate": "Renegotiate",
            "cancel": "Cancel"}
DOCUMENT_KIND = {"contract": "Contract", "order_form": "Order form",
                 "security_review": "Security review", "invoice": "Invoice",
                 "other": "Other"}
UNUSED_REASON = {"departed": "Departed", "suspended": "Suspended",
                 "pending_invite": "Invite never accepted", "never_active": "Never active",
                 "inactive": "Inactive"}
ADMINS = ("owner", "admin")  # the roles "Owner or admin" stands for


def label(vocabulary: Mapping[str, str], value: str | None) -> str:
    """The word for a stored value; an unknown value as it is, a missing one as ''."""
    if value is None:
        return ""
    return vocabulary.get(value, value.replace("_", " "))


def choices(vocabulary: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, value) pairs in the vocabulary's order: a drop-down's entries."""
    return [(text, value) for value, text in vocabulary.items()]


def role_choices() -> list[tuple[str, str | tuple[str, ...]]]:
    """The Role filter: "Owner or admin" first (who can change the tool), then each role."""
    out: list[tuple[str, str | tuple[str, ...]]] = [("Owner or admin", ADMINS)]
    out.extend(choices(ROLE))
    return out


def use_choices(*extra: tuple[str, str]) -> list[tuple[str, str | tuple[str, ...]]]:
    """The Use filter: any unused reason, each reason, then the page's other states."""
    out: list[tuple[str, str | tuple[str, ...]]] = [
        ("Unused (any reason)", tuple(UNUSED_REASON))]
    out.extend((f"Unused: {text.lower()}", value) for value, text in UNUSED_REASON.items())
    out.extend((text, value) for value, text in extra)
    return out


def in_words(values: Iterable[str], vocabulary: Mapping[str, str]) -> str:
    return ", ".join(label(vocabulary, v) for v in values)
