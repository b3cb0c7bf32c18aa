"""Acting on seats wherever they are listed (the person page, Savings and its Directory tab,
Seats, a tool's page and their right-click menus): reclaim after asking, exempt with a
reason, clear an exemption, mark a departed person's accounts done. Each is one batch on a
worker (all or nothing, audited seat by seat: services/seats/batch.py); then the views
showing accounts reload, the status bar says what was done, and Edit → Undo (or the status
bar's "↶ Undo …") puts it back.

Two levels: `confirm_reclaim`, `reclaim_now`, `exempt_dialog`, `clear_exemptions` and
`outcome_dialog` take account ids; `reclaim_rows`, `exempt_rows` and `clear_rows` take the
selected rows of any table whose rows have `account_id` (or `id`), `tool`, `email`,
`person`, `exempt` and `status` (utilization.SeatStatus, a person's or a tool's accounts),
keep those the action applies to, and say "the Figma seat of ada@…" for one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from stackadmin.ui.dialogs import Field, FormDialog
from stackadmin.ui.fmt import plural
from stackadmin.ui.undo import Undoable

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.seats.batch import SeatChange
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

Batch = Callable[["ServiceContext"], "SeatChange"]
DEPROVISIONED = "deprovisioned"


# -- words ---------------------------------------------------------------------------------
def reclaim_text(n: int) -> str:
    if n == 1:
        return ("Do this once the seat was removed at the vendor: the account is marked "
                "deprovisioned and no longer holds a seat. The paid seat then counts as "
                "unassigned until the seat count is lowered at the next renewal. Edit → Undo "
                "puts it back.")
    return ("Do this once the seats were removed at the vendor: the accounts are marked "
            "deprovisioned and no longer hold a seat. The paid seats then count as "
            "unassigned until the seat count is lowered at the next renewal. Edit → Undo "
            "puts them back.")


def seats_text(n: int, one: str = "") -> str:
    """'the Figma seat of ada@…' for one (when `one` names it), else '3 seats'."""
    return one if n == 1 and one else plural(n, "seat")


def account_id(row: Any) -> int:
    """The account a row stands for (`account_id`, or `id` for a row that is an account)."""
    value = getattr(row, "account_id", None)
    return int(value if value is not None else row.id)


def describe(seats: Sequence[Any]) -> str:
    """'the Figma seat of ada@example.com' for one row, else '3 seats'."""
    if len(seats) == 1:
        seat = seats[0]
        who = getattr(seat, "email", None) or getattr(seat, "person", None) or "unmatched"
        return f"the {seat.tool} seat of {who}"
    return plural(len(seats), "seat")


# -- batches -------------------------------------------------------------------------------
def _undoable(change: SeatChange, changed: tuple[str, ...]) -> Undoable:
    def work(ctx: ServiceContext, _job: Job) -> int:
        from stackadmin.services.seats.batch import undo

        return undo(ctx, change)

    return Undoable(change.description, work, changed)


def _announce(env: Env, change: SeatChange, changed: tuple[str, ...]) -> None:
    text = change.description
    env.message.emit(f"{text[:1].upper()}{text[1:]}. Edit → Undo puts "
                     f"{'it' if change.count == 1 else 'them'} back.")
    for entity in (*changed, "audit"):
        env.changed(entity)
    env.offer_undo(_undoable(change, changed))


def run_batch(env: Env, batch: Batch, *, changed: tuple[str, ...] = ("account",),
              done: Callable[[SeatChange], None] | None = None) -> Job:
    """Runs the batch on a worker; then says what was done, announces the change and
    offers its undo. A refusal goes to the error banner and nothing is changed."""

    def work(ctx: ServiceContext, _job: Job) -> SeatChange:
        return batch(ctx)

    def finished(change: SeatChange) -> None:
        _announce(env, change, changed)
        if done is not None:
            done(change)

    def failed(exc: BaseException) -> None:
        from stackadmin.ui.errors import describe_error

        env.error.emit(describe_error(exc))

    return env.run(work, finished, failed, title="updating seats")


def confirm_reclaim(parent: QWidget, env: Env, account_ids: Sequence[int], what: str, *,
                    checklist_of: int | None = None,
                    changed: tuple[str, ...] = ("account",)) -> QMessageBox:
    """Asks, without blocking, before marking the seats reclaimed; the box is returned (and
    kept on `parent.confirm_box`) so a test can answer it like a user."""
    ids = list(account_ids)
    box = QMessageBox(QMessageBox.Icon.Question, "Mark reclaimed",
                      f"Mark {what} reclaimed? {reclaim_text(len(ids))}",
                      QMessageBox.StandardButton.Cancel, parent)
    ok = box.addButton("Mark reclaimed", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(ok)

    def answered() -> None:
        if box.clickedButton() is ok:
            reclaim_now(env, ids, checklist_of=checklist_of, changed=changed)

    box.finished.connect(lambda _r: answered())
    parent.confirm_box = box  # type: ignore[attr-defined]
    box.open()
    return box


def reclaim_now(env: Env, account_ids: Sequence[int], *, checklist_of: int | None = None,
                changed: tuple[str, ...] = ("account",)) -> Job:
    """Marks the seats reclaimed at once (the confirmation's answer). `checklist_of`: the
    departed person whose offboarding checklist records them as reclaimed too."""
    ids = list(account_ids)

    def batch(ctx: ServiceContext) -> SeatChange:
        from stackadmin.services.seats.batch import reclaim_seats

        return reclaim_seats(ctx, ids, checklist_of=checklist_of)

    return run_batch(env, batch, changed=changed)


def clear_exemptions(env: Env, account_ids: Sequence[int]) -> Job:
    ids = list(account_ids)

    def batch(ctx: ServiceContext) -> SeatChange:
        from stackadmin.services.seats.batch import clear_exemptions as clear

        return clear(ctx, ids)

    return run_batch(env, batch)


def exempt_dialog(parent: QWidget, env: Env, account_ids: Sequence[int],
                  what: str) -> FormDialog:
    """Asks for the reason (required) in a non-blocking dialog, then exempts the seats."""
    ids = list(account_ids)
    field = Field("reason", "Reason", words=("reason",),
                  placeholder="for example: on-call admin, shared mailbox, licence audit",
                  help="Required. Exempt seats are not counted as unused or in the savings; "
                       "the reason and who set it are kept.")

    def save(ctx: ServiceContext, values: dict[str, Any]) -> SeatChange:
        from stackadmin.services.seats.batch import exempt_seats

        return exempt_seats(ctx, ids, values.get("reason") or "")

    dialog = FormDialog(env, f"Exempt {what}", [field], {}, save, parent,
                        intro=f"Keep {what} on purpose.")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).setText("Exempt")
    dialog.saved.connect(lambda change: _announce(env, change, ("account",)))
    dialog.open()
    return dialog


def outcome_dialog(parent: QWidget, env: Env, person_id: int, account_ids: Sequence[int],
                   outcome: str, what: str) -> FormDialog:
    """Marks a departed person's accounts done on their checklist: `transferred` asks for
    the person taking over, `kept` for the reason; `reclaimed` asks nothing."""
    ids = list(account_ids)
    fields = {"kept": [Field("reason", "Reason", words=("reason",),
                             help="Why the account stays (shared mailbox, legal hold…)")],
              "transferred": [Field("transferred_to", "Transfer to (email)",
                                    words=("transfer to", "email"),
                                    help="Someone in the people list")]}.get(outcome, [])

    def save(ctx: ServiceContext, values: dict[str, Any]) -> SeatChange:
        from stackadmin.services.seats.batch import record_outcomes

        return record_outcomes(ctx, person_id, ids, outcome, **values)

    dialog = FormDialog(env, f"Mark {what} {outcome}", fields, {}, save, parent,
                        intro=f"Record that {what} {'was' if len(ids) == 1 else 'were'} "
                              f"{outcome}. This is written to the activity log.")
    dialog.saved.connect(lambda change: _announce(env, change, ("account", "offboarding")))
    if fields:
        dialog.open()
    else:
        dialog.submit()  # nothing to ask: record at once
    return dialog


# -- selected rows -------------------------------------------------------------------------
def reclaim_rows(parent: QWidget, env: Env, seats: Sequence[Any]) -> QMessageBox | None:
    """Asks, then marks the selected seats that still hold one reclaimed."""
    todo = [s for s in seats if getattr(s, "status", "") != DEPROVISIONED]
    if not todo:
        return None
    return confirm_reclaim(parent, env, [account_id(s) for s in todo], describe(todo))


def exempt_rows(parent: QWidget, env: Env, seats: Sequence[Any]) -> FormDialog | None:
    """Asks for the reason, then exempts the selected seats that are not exempt yet."""
    todo = [s for s in seats if not s.exempt]
    if not todo:
        return None
    return exempt_dialog(parent, env, [account_id(s) for s in todo], describe(todo))


def clear_rows(env: Env, seats: Sequence[Any]) -> Job | None:
    """Clears the exemption of the selected seats that have one."""
    ids = [account_id(s) for s in seats if s.exempt]
    return clear_exemptions(env, ids) if ids else None
