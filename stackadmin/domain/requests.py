"""Tool requests: their statuses, urgencies and which status may follow which."""

from __future__ import annotations

from enum import StrEnum

from stackadmin.errors import ValidationError


class RequestStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    EVALUATING = "evaluating"
    APPROVED = "approved"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    PURCHASED = "purchased"


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


S = RequestStatus
# Forward along new → triaged → evaluating → approved → purchased, with a way out (rejected,
# duplicate) from every open status, and a way back for a decision taken too early: a
# rejected or duplicate request can be reopened, an approval sent back to evaluation.
# Purchased is final: the tool and term it became exist in the inventory.
NEXT: dict[RequestStatus, tuple[RequestStatus, ...]] = {
    S.NEW: (S.TRIAGED, S.EVALUATING, S.APPROVED, S.REJECTED, S.DUPLICATE),
    S.TRIAGED: (S.NEW, S.EVALUATING, S.APPROVED, S.REJECTED, S.DUPLICATE),
    S.EVALUATING: (S.TRIAGED, S.APPROVED, S.REJECTED, S.DUPLICATE, S.PURCHASED),
    S.APPROVED: (S.EVALUATING, S.REJECTED, S.PURCHASED),
    S.REJECTED: (S.NEW, S.TRIAGED),
    S.DUPLICATE: (S.NEW, S.TRIAGED),
    S.PURCHASED: (),
}

OPEN = frozenset({S.NEW, S.TRIAGED, S.EVALUATING, S.APPROVED})
CLOSED = frozenset({S.REJECTED, S.DUPLICATE, S.PURCHASED})


def parse_status(text: str) -> RequestStatus:
    value = (text or "").strip().lower()
    try:
        return RequestStatus(value)
    except ValueError:
        raise ValidationError(
            f"'{text}' is not a request status ({', '.join(s.value for s in RequestStatus)})"
        ) from None


def parse_urgency(text: str | None) -> Urgency:
    value = (text or "").strip().lower() or Urgency.NORMAL.value
    try:
        return Urgency(value)
    except ValueError:
        raise ValidationError(
            f"urgency must be low, normal or high, got '{text}'") from None


def check_transition(current: RequestStatus, wanted: RequestStatus) -> None:
    """Raises ValidationError in words when `wanted` may not follow `current`."""
    if current is wanted:
        raise ValidationError(f"the request is {current.value} already")
    allowed = NEXT[current]
    if wanted not in allowed:
        if not allowed:
            raise ValidationError(f"the request is {current.value}: its status is final")
        article = "an" if current.value[0] in "aeiou" else "a"
        raise ValidationError(
            f"{article} {current.value} request can become "
            f"{', '.join(s.value for s in allowed)}, not {wanted.value}")
