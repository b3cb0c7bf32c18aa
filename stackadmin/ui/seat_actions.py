"""Acting on seats wherever they are listed (Savings, Seats, a tool's page, right-click
menus): exempt with a reason, clear an exemption, mark reclaimed after asking. Each answer
is stored by the seats service on a worker; then every view showing accounts reloads and
the status bar says what was done.

A seat here is any row with `account_id`, `tool`, `email`, `person` and `exempt`
(utilization.SeatStatus, or a page's own row with those names)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from stackadmin.ui.dialogs import Field, FormDialog

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job


def describe(seats: Sequence[Any]) -> str:
    """'the Figma seat of ada@example.com', or '3 seats'."""
    if len(seats) == 1:
        seat = seats[0]
        who = getattr(seat, "email", None) or getattr(seat, "person", None) or "unmatched"
        return f"the {seat.tool} seat of {who}"
    return f"{len(seats):,} seats"


def exempt(env: Env, parent: QWidget, seats: Sequence[Any]) -> FormDialog | None:
    """Asks for the reason (required, in a non-blocking dialog), then exempts every seat
    that is not exempt yet."""
    todo = [s for s in seats if not s.exempt]
    if not todo:
        return None
    ids = [s.account_id for s in todo]
    what = describe(todo)

    def save(ctx: ServiceContext, values: dict[str, Any]) -> int:
        from stackadmin.services.seats.actions import exempt_seat

        for account_id in ids:  # the first refuses an empty reason: nothing is saved
            exempt_seat(ctx, account_id, values["reason"])
        return len(ids)

    field = Field("reason", "Reason", words=("reason",),
                  placeholder="for example: on-call admin, shared mailbox, licence audit",
                  help="Required. Exempt seats are not counted as unused or in the "
                       "savings; the reason and who set it are kept.")
    dialog = FormDialog(env, f"Exempt {what}", [field], {}, save, parent,
                        intro=f"Keep {what} on purpose.", changed="account")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).setText("Exempt")
    dialog.saved.connect(lambda n: env.message.emit(f"Exempted {n:,} seats."))
    dialog.open()
    return dialog


def clear_exemption(env: Env, seats: Sequence[Any]) -> Job | None:
    ids = [s.account_id for s in seats if s.exempt]
    if not ids:
        return None

    def work(ctx: ServiceContext, job: Job) -> int:
        from stackadmin.services.seats.actions import clear_exemption as clear

        for account_id in ids:
            clear(ctx, account_id)
        return len(ids)

    return _act(env, work, "Cleared the exemption of {n:,} seats.")


def confirm_reclaim(env: Env, parent: QWidget, ids: Sequence[int],
                    what: str) -> QMessageBox:
    """Asks (without blocking) before marking the accounts reclaimed."""
    box = QMessageBox(QMessageBox.Icon.Question, "Mark reclaimed",
                      f"Mark {what} reclaimed? Do this once the seat was removed at the "
                      "vendor: the account is marked deprovisioned and no longer holds a "
                      "seat. The paid seat then counts as unassigned until the seat count "
                      "is lowered at the next renewal.",
                      QMessageBox.StandardButton.Cancel, parent)
    ok = box.addButton("Mark reclaimed", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(ok)
    chosen = list(ids)

    def answered() -> None:
        if box.clickedButton() is ok:
            reclaim_now(env, chosen)

    box.finished.connect(lambda _r: answered())
    box.open()
    return box


def reclaim(env: Env, parent: QWidget, seats: Sequence[Any]) -> QMessageBox | None:
    """Asks, then marks the seats that still hold one reclaimed."""
    todo = [s for s in seats if getattr(s, "status", "") != "deprovisioned"]
    if not todo:
        return None
    return confirm_reclaim(env, parent, [s.account_id for s in todo], describe(todo))


def reclaim_now(env: Env, ids: Sequence[int]) -> Job:
    chosen = list(ids)

    def work(ctx: ServiceContext, job: Job) -> int:
        from stackadmin.services.seats.actions import reclaim_seat

        for account_id in chosen:
            reclaim_seat(ctx, account_id)
        return len(chosen)

    return _act(env, work, "Marked {n:,} seats reclaimed.")


def _act(env: Env, work: Any, message: str) -> Job:
    from stackadmin.ui.mainwindow import describe_error

    def done(n: int) -> None:
        env.message.emit(message.format(n=n))
        env.changed("account")

    def failed(exc: BaseException) -> None:
        env.error.emit(describe_error(exc))
        env.changed("account")  # some may have gone through: show what is true

    return env.run(work, done, failed, title="updating seats")
