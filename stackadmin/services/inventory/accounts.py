"""Accounts (seats): create, edit, exempt, delete, each audited; matched to people by email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from stackadmin.domain.limits import (
    MAX_ID,
    MAX_YEAR,
    MIN_YEAR,
    check_int,
    check_moment,
    check_text,
)
from stackadmin.domain.values import normalize_email, optional_text, parse_choice
from stackadmin.domain.vocab import AccountStatus, Role
from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import (
    FieldCleaner,
    add_audited,
    apply_changes,
    delete_audited,
    flush_or_explain,
    get_or_404,
)
from stackadmin.store.models import Account, Person, Tool

FIELDS = ("tool_id", "person_id", "external_id", "email", "display_name", "role", "vendor_role",
          "license_tier", "status", "last_activity", "is_bot", "exempt", "exempt_reason")


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    tool_id: int
    tool: str
    person_id: int | None
    person_name: str | None
    email: str | None
    display_name: str | None
    external_id: str | None
    role: str
    vendor_role: str | None
    license_tier: str | None
    status: str
    last_activity: datetime | None
    activity_known: bool
    first_seen: datetime
    source: str
    is_bot: bool
    exempt: bool
    exempt_reason: str | None


def account_row(a: Account) -> AccountRow:
    return AccountRow(
        a.id, a.tool_id, a.tool.name, a.person_id, a.person.name if a.person else None, a.email,
        a.display_name, a.external_id, a.role, a.vendor_role, a.license_tier, a.status,
        a.last_activity, a.activity_known, a.first_seen, a.source, a.is_bot, a.exempt,
        a.exempt_reason,
    )


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError("last activity must be a date and time with a time zone")
    try:
        moment = value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-14:00 is in the year 10000 in UTC
        raise ValidationError(f"last activity must be between {MIN_YEAR} and {MAX_YEAR}, "
                              f"got {value.isoformat()}") from None
    return check_moment(moment, "last activity")


def _record_id(value: Any, what: str) -> int:
    return check_int(int(value), what, 1, MAX_ID)


def person_id_for_email(session: Session, email: str | None) -> int | None:
    if not email:
        return None
    return session.scalar(select(Person.id).where(Person.email == email))


def _clean(values: dict[str, Any], partial: bool) -> dict[str, Any]:
    c = FieldCleaner(values, partial=partial)
    c.require("tool_id")
    c.take("tool_id", lambda v: _record_id(v, "tool id"))
    c.take("person_id", lambda v: None if v is None else _record_id(v, "person id"))
    c.take("email", lambda v: normalize_email(v) if (v or "").strip() else None)
    c.take("display_name", lambda v: optional_text(v, "name", 200))
    c.take("external_id", lambda v: optional_text(v, "external id", 200))
    c.take("role", lambda v: parse_choice(v, Role, "role"))
    c.take("vendor_role", lambda v: optional_text(v, "vendor role", 100))
    c.take("license_tier", lambda v: optional_text(v, "licence tier", 100))
    c.take("status", lambda v: parse_choice(v, AccountStatus, "status"))
    c.take("last_activity", _aware)
    c.take("is_bot", bool)
    c.take("source", lambda v: optional_text(v, "source", 64) or "manual")
    return c.result()


def create_account(ctx: ServiceContext, **values: Any) -> AccountRow:
    """Fields: tool_id (required), email, display_name, external_id, role, vendor_role,
    license_tier, status, last_activity (aware), is_bot, person_id (else matched by email)."""
    data = _clean(values, partial=False)
    if not data.get("email") and not data.get("external_id"):
        raise ValidationError("an account needs an email or the vendor's id")
    with ctx.transaction() as session:
        tool = get_or_404(session, Tool, data["tool_id"], "tool")
        email = data.get("email")
        if email and not data.get("external_id"):
            # Typed in without the vendor's id, an email already in the tool is that seat
            # again: counted twice, it would show one seat held that nobody holds.
            same = session.scalars(select(Account.id).where(
                Account.tool_id == tool.id, Account.email == email)).first()
            if same is not None:
                raise ValidationError(f"email: {tool.name} already has an account for "
                                      f"{email} (account {same}): edit that one")
        if "person_id" not in data:
            data["person_id"] = person_id_for_email(session, data.get("email"))
        account = Account(**data)
        session.add(account)
        flush_or_explain(session, f"{tool.name} already has an account with id "
                                  f"{data.get('external_id')}")
        add_audited(session, ctx, account, entity="account",
                    label=f"account {account.email or account.external_id} in {tool.name}",
                    fields=FIELDS)
        return account_row(account)


def update_account(ctx: ServiceContext, account_id: int, **values: Any) -> AccountRow:
    data = _clean(values, partial=True)
    with ctx.transaction() as session:
        account = get_or_404(session, Account, account_id, "account")
        apply_changes(session, ctx, account, data, entity="account",
                      label=f"account {account.email or account.external_id} "
                            f"in {account.tool.name}")
        flush_or_explain(session, "another account of this tool has that vendor id")
        return account_row(account)


def set_exempt(ctx: ServiceContext, account_id: int, reason: str | None) -> AccountRow:
    """Exempts a seat from the unused rules (a reason is required), or clears it (None)."""
    text = check_text((reason or "").strip(), "the reason", max_length=500)
    with ctx.transaction() as session:
        account = get_or_404(session, Account, account_id, "account")
        values: dict[str, Any] = (
            {"exempt": True, "exempt_reason": text, "exempt_by": ctx.actor}
            if text else {"exempt": False, "exempt_reason": None, "exempt_by": None}
        )
        if reason is not None and not text:
            raise ValidationError("an exemption needs a reason")
        apply_changes(session, ctx, account, values, entity="account",
                      label=f"exemption of {account.email or account.external_id} "
                            f"in {account.tool.name}")
        return account_row(account)


def delete_account(ctx: ServiceContext, account_id: int) -> None:
    with ctx.transaction() as session:
        account = get_or_404(session, Account, account_id, "account")
        delete_audited(session, ctx, account, entity="account",
                       label=f"account {account.email or account.external_id} "
                             f"in {account.tool.name}", fields=FIELDS)


def list_accounts(ctx: ServiceContext, *, tool_id: int | None = None,
                  person_id: int | None = None) -> list[AccountRow]:
    query = select(Account).options(joinedload(Account.tool), joinedload(Account.person))
    if tool_id is not None:
        query = query.where(Account.tool_id == tool_id)
    if person_id is not None:
        query = query.where(Account.person_id == person_id)
    with ctx.read() as session:
        return [account_row(a) for a in session.scalars(query.order_by(Account.id))]
