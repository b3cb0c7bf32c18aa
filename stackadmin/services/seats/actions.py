"""Acting on unused seats: exempt one with a reason, or mark it reclaimed; each audited."""

from __future__ import annotations

from sqlalchemy import select

from stackadmin.domain.limits import check_text
from stackadmin.domain.vocab import AccountStatus
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import apply_changes, get_or_404
from stackadmin.services.inventory import accounts
from stackadmin.services.inventory.accounts import AccountRow, account_row
from stackadmin.services.inventory.tools import find_tool
from stackadmin.store.models import Account

MAX_REASON = 500  # the column's length


def exempt_seat(ctx: ServiceContext, account_id: int, reason: str) -> AccountRow:
    """Exempts a seat from the unused rules; the reason is required, the actor is recorded
    as who set it (`exempt_by`)."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError("an exemption needs a reason (for example: on-call admin)")
    check_text(text, "the reason", max_length=MAX_REASON)
    return accounts.set_exempt(ctx, account_id, text)


def clear_exemption(ctx: ServiceContext, account_id: int) -> AccountRow:
    """Removes a seat's exemption; a seat without one is refused in words, as reclaiming a
    seat reclaimed already is (nothing to clear is not a clearing done)."""
    with ctx.read() as session:
        account = get_or_404(session, Account, account_id, "account")
        if not account.exempt:
            raise ValidationError(f"account {account.email or account.external_id} in "
                                  f"{account.tool.name} has no exemption to clear")
    return accounts.set_exempt(ctx, account_id, None)


def reclaim_seat(ctx: ServiceContext, account_id: int) -> AccountRow:
    """Marks a seat reclaimed: the account is deprovisioned and holds no seat from now on."""
    with ctx.transaction() as session:
        account = get_or_404(session, Account, account_id, "account")
        label = f"account {account.email or account.external_id} in {account.tool.name}"
        if account.status == AccountStatus.DEPROVISIONED.value:
            raise ValidationError(f"{label} is deprovisioned already")
        apply_changes(session, ctx, account, {"status": AccountStatus.DEPROVISIONED.value},
                      entity="account", label=f"reclaimed the seat of {label}")
        return account_row(account)


def find_account(ctx: ServiceContext, tool: str, who: str) -> int:
    """The id of the account in `tool` (by name) with that email or vendor id."""
    key = who.strip()
    with ctx.read() as session:
        found = find_tool(session, tool)
        ids = list(session.scalars(
            select(Account.id).where(Account.tool_id == found.id,
                                     (Account.email == key.lower())
                                     | (Account.external_id == key))
            .order_by(Account.id)))
    if not ids:
        raise NotFoundError(f"{found.name} has no account with email or id '{key}'")
    if len(ids) > 1:
        raise ValidationError(f"{found.name} has {len(ids)} accounts matching '{key}' "
                              f"(ids {', '.join(map(str, ids))}): give the account id")
    return ids[0]
