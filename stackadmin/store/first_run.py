"""Whether the inventory is empty: the first run, when the demo and the import are offered.

A module of its own: the start asks it before the window is ready, and importing the
demo's modules for it would cost ~12 ms there."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stackadmin.store.models import Account, Person, SubscriptionTerm, Tool


def is_empty(session: Session) -> bool:
    """No people, tools, terms or accounts yet."""
    for model in (Person, Tool, SubscriptionTerm, Account):
        if session.scalar(select(func.count()).select_from(model)):
            return False
    return True
