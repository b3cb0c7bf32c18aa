"""Dialogs for accounts (seats): add, edit, delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from stackadmin.ui import words
from stackadmin.ui.dialogs import Field, FormDialog, blank_to_none, confirm

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.inventory.accounts import AccountRow
    from stackadmin.ui.pages.base import Page



def fields(tool_names: Sequence[str] = ()) -> list[Field]:
    out = [
        Field("email", "Email", words=("email", "an account needs")),
        Field("display_name", "Name", words=("name",)),
        Field("external_id", "Vendor's id", words=("external id", "vendor id", "with id")),
        Field("role", "Role", kind="choice", choices=tuple(words.ROLE.items()),
              words=("role",)),
        Field("status", "Status", kind="choice", choices=tuple(words.ACCOUNT_STATUS.items()),
              words=("status",)),
        Field("license_tier", "Licence tier", words=("licence tier",)),
    ]
    if tool_names:
        out.insert(0, Field("tool", "Tool", kind="choice", choices=tool_names, words=("tool",)))
    return out


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return blank_to_none(values, "email", "display_name", "external_id", "license_tier")


def create(page: Page, tools: Sequence[tuple[int, str]], tool_id: int | None = None,
           email: str = "") -> FormDialog:
    by_name = {name: i for i, name in tools}

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.errors import ValidationError
        from stackadmin.services.inventory.accounts import create_account

        name = values.pop("tool")
        if name not in by_name:
            raise ValidationError("tool: choose the tool this account is in")
        return create_account(ctx, tool_id=by_name[name], **_values(values))

    start = {"role": "member", "status": "active", "email": email,
             "tool": next((n for i, n in tools if i == tool_id), tools[0][1] if tools else "")}
    dialog = FormDialog(page.env, "Add an account", fields([n for _, n in tools]), start, save,
                        page, changed="account")
    dialog.open()
    return dialog


def edit(page: Page, account: AccountRow | None) -> FormDialog | None:
    if account is None:
        return None

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.inventory.accounts import update_account

        return update_account(ctx, account.id, **_values(values))

    values = {f.name: getattr(account, f.name) for f in fields()}
    dialog = FormDialog(page.env, f"Edit account in {account.tool}", fields(), values, save,
                        page, changed="account")
    dialog.open()
    return dialog


def delete(page: Page, account_id: int, label: str) -> None:
    if not confirm(page, "Delete account",
                   f"Delete the account {label}? Only the record here is deleted, not the "
                   "account at the vendor."):
        return

    def work(ctx: ServiceContext, _job: Any) -> None:
        from stackadmin.services.inventory.accounts import delete_account

        delete_account(ctx, account_id)

    page.env.run(work, lambda _r: page.env.changed("account"))
