"""What the user can answer to a renewal reminder (snooze, acknowledge, decide), shared by the
reminder panel and the Renewals page. Each answer is stored by a service call on a worker;
then `env.changed(...)` tells every view to refresh, and the status bar says what was done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMenu, QWidget

from stackadmin.ui.dialogs import Field, FormDialog
from stackadmin.ui.fmt import date_text, plural

if TYPE_CHECKING:
    from stackadmin.domain.reminders import ReminderKey
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.renewals.listing import RenewalRow
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

# Entity kinds for env.changed(): pages and the reminder panel reload on these.
REMINDER = "reminder"
DECISION = "decision"
DECISIONS = ("renew", "renegotiate", "cancel")
DECISION_LABELS = {"renew": "Renew", "renegotiate": "Renegotiate", "cancel": "Cancel",
                   "undecided": "Undecided"}


def _announce(env: Env, entity: str, text: str, done: Callable[[], None] | None) -> None:
    env.message.emit(text)
    env.changed(entity)
    env.changed("audit")  # each answer writes an audit event: the Activity page shows it
    if done is not None:
        done()


def term_name(renewal: RenewalRow) -> str:
    return f"{renewal.tool} {renewal.plan}".strip()


def snooze(env: Env, key: ReminderKey, name: str, *, days: int | None = None,
           until: date | None = None, done: Callable[[], None] | None = None) -> Job:
    """Hides the reminder for `days` (1 a day, 7 a week) or until a date."""

    def work(ctx: ServiceContext, _job: Job) -> date:
        from stackadmin.services.renewals.reminders import snooze as snooze_service

        return snooze_service(ctx, key, days=days, until=until)

    return env.run(work, lambda end: _announce(
        env, REMINDER, f"{name}: reminder snoozed until {date_text(end)}.", done),
        title="snoozing a reminder")


def acknowledge(env: Env, key: ReminderKey, name: str, *,
                done: Callable[[], None] | None = None) -> Job:
    """Hides this reminder for good (the next lead, or the missed notice, still comes)."""

    def work(ctx: ServiceContext, _job: Job) -> None:
        from stackadmin.services.renewals.reminders import acknowledge as acknowledge_service

        acknowledge_service(ctx, key)

    return env.run(work, lambda _r: _announce(
        env, REMINDER, f"{name}: reminder acknowledged.", done),
        title="acknowledging a reminder")


def snooze_menu(parent: QWidget, chosen: Callable[[int | None], None]) -> QMenu:
    """'For a day', 'For a week', 'Until a date…': `chosen(days)`, None for a date."""
    menu = QMenu(parent)
    menu.addAction("For a day", lambda: chosen(1))
    menu.addAction("For a week", lambda: chosen(7))
    menu.addAction("Until a date…", lambda: chosen(None))
    return menu


def decide_menu(parent: QWidget, chosen: Callable[[str], None]) -> QMenu:
    menu = QMenu(parent)
    for value in DECISIONS:
        menu.addAction(f"{DECISION_LABELS[value]}…", lambda v=value: chosen(v))
    return menu


def _snooze_form(env: Env, parent: QWidget, title: str, intro: str,
                 snooze: Callable[[ServiceContext, date], date],
                 said: Callable[[date], str], done: Callable[[], None] | None) -> FormDialog:
    """The day the reminders come back (two weeks ahead by default; the service refuses
    today or earlier), saved by `snooze` on a worker."""

    def save(ctx: ServiceContext, values: dict[str, Any]) -> date:
        from stackadmin.errors import ValidationError

        until = values["until"]
        if not isinstance(until, date):
            raise ValidationError(f"snooze until: expected a date such as "
                                  f"{(ctx.today() + timedelta(days=14)).isoformat()}, got "
                                  f"'{until or ''}'")
        return snooze(ctx, until)

    dialog = FormDialog(env, title,
                        [Field("until", "Snooze until", kind="date",
                               words=("snooze until", "pick a day"))],
                        {"until": env.today() + timedelta(days=14)}, save, parent,
                        intro=intro)
    dialog.saved.connect(lambda end: _announce(env, REMINDER, said(end), done))
    dialog.open()
    return dialog


def snooze_dialog(env: Env, parent: QWidget, key: ReminderKey, name: str, *,
                  done: Callable[[], None] | None = None) -> FormDialog:
    """Asks for the day the reminder comes back."""

    def snooze(ctx: ServiceContext, until: date) -> date:
        from stackadmin.services.renewals.reminders import snooze as snooze_service

        return snooze_service(ctx, key, until=until)

    return _snooze_form(env, parent, f"Snooze the reminder for {name}",
                        "The reminder comes back on this day.", snooze,
                        lambda end: f"{name}: reminder snoozed until {date_text(end)}.", done)


def decision_dialog(env: Env, parent: QWidget, renewal: RenewalRow, decision: str = "renew",
                    *, done: Callable[[], None] | None = None) -> FormDialog:
    """Records renew / renegotiate / cancel (and a note) for the renewal in play; its
    reminders end. Choosing 'undecided' withdraws an earlier decision."""
    name = term_name(renewal)
    current = renewal.decision.value
    choices = (*DECISIONS, "undecided") if current != "undecided" else DECISIONS

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.renewals.reminders import decide

        note = values.get("note") or ""
        return decide(ctx, renewal.term_id, values["decision"], note=note.strip() or None,
                      renewal_date=renewal.renewal_date)

    passed = " (passed)" if renewal.days_left < 0 else ""
    intro = (f"{name} renews on {date_text(renewal.renewal_date)}; the cancel-by date is "
             f"{date_text(renewal.cancel_by)}{passed}. Once decided, its reminders stop.")
    dialog = FormDialog(env, f"Decide on {name}", [
        Field("decision", "Decision", kind="choice", choices=choices, words=("decision",)),
        Field("note", "Note", kind="multiline", words=("note",),
              help="Why, who agreed, the quote to beat…"),
    ], {"decision": decision, "note": renewal.decision_note or ""}, save, parent, intro=intro)
    dialog.saved.connect(lambda row: _announce(
        env, DECISION, f"{name}: decision recorded ({row.decision.value}).", done))
    attach_impact(env, dialog, renewal.tool_id, renewal.tool)
    dialog.open()
    return dialog


def attach_impact(env: Env, dialog: QWidget, tool_id: int, tool: str) -> None:
    """Adds 'what breaks if we cancel' under the dialog's intro: the connections that depend
    on the tool and their owners (loaded on a worker; `dialog.impact` is the label)."""
    from html import escape

    from PySide6.QtWidgets import QLabel, QVBoxLayout

    label = QLabel(dialog)
    label.setWordWrap(True)
    dialog.impact = label  # type: ignore[attr-defined]
    layout = dialog.layout()
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(1, label)

    def work(ctx: ServiceContext, _job: Job) -> list[str]:
        from stackadmin.services.running.connections import depending_on, impact_lines

        return impact_lines(depending_on(ctx, tool_id))

    def shown(lines: list[str]) -> None:
        if not lines:
            label.setText(f"If {escape(tool)} is cancelled, no connection breaks.")
        else:
            label.setText(f"<b>If {escape(tool)} is cancelled, {len(lines)} connection"
                          f"{'s' if len(lines) > 1 else ''} break; tell their owners:</b><br>"
                          + "<br>".join(f"• {escape(line)}" for line in lines))
        fit = getattr(dialog, "fit", None)
        if callable(fit):
            fit()  # a form dialog grows with the lines, never under its buttons

    env.run(work, shown, lambda _exc: None, key=f"impact:{id(dialog)}")


# -- several reminders at once (the panel's and the Renewals page's multi-selection) --------

def many_name(renewals: Sequence[RenewalRow]) -> str:
    """The term's name for one, '3 renewals' for several."""
    return term_name(renewals[0]) if len(renewals) == 1 else plural(len(renewals), "renewal")


def snooze_all(env: Env, keys: Sequence[ReminderKey], name: str, *, days: int | None = None,
               until: date | None = None, done: Callable[[], None] | None = None) -> Job:
    """Snoozes every reminder to the same day, in one transaction."""
    wanted = list(keys)

    def work(ctx: ServiceContext, _job: Job) -> date:
        from stackadmin.services.renewals.reminders import snooze_many

        return snooze_many(ctx, wanted, days=days, until=until)

    return env.run(work, lambda end: _announce(
        env, REMINDER, f"{name}: {'reminder' if len(wanted) == 1 else 'reminders'} snoozed "
                       f"until {date_text(end)}.", done), title="snoozing reminders")


def acknowledge_all(env: Env, keys: Sequence[ReminderKey], name: str, *,
                    done: Callable[[], None] | None = None) -> Job:
    wanted = list(keys)

    def work(ctx: ServiceContext, _job: Job) -> int:
        from stackadmin.services.renewals.reminders import acknowledge_many

        return acknowledge_many(ctx, wanted)

    return env.run(work, lambda _n: _announce(
        env, REMINDER, f"{name}: {'reminder' if len(wanted) == 1 else 'reminders'} "
                       "acknowledged.", done), title="acknowledging reminders")


def snooze_all_dialog(env: Env, parent: QWidget, keys: Sequence[ReminderKey], name: str, *,
                      done: Callable[[], None] | None = None) -> FormDialog:
    """Asks for the day the reminders come back; one for a single reminder."""
    if len(keys) == 1:
        return snooze_dialog(env, parent, keys[0], name, done=done)
    wanted = list(keys)

    def snooze(ctx: ServiceContext, until: date) -> date:
        from stackadmin.services.renewals.reminders import snooze_many

        return snooze_many(ctx, wanted, until=until)

    return _snooze_form(env, parent, f"Snooze {name}", "The reminders come back on this day.",
                        snooze,
                        lambda end: f"{name}: reminders snoozed until {date_text(end)}.", done)


def decide_all_dialog(env: Env, parent: QWidget, renewals: Sequence[RenewalRow],
                      decision: str = "renew", *,
                      done: Callable[[], None] | None = None) -> FormDialog:
    """One decision (and note) for several renewals, recorded together; one renewal gets
    the usual dialog."""
    if len(renewals) == 1:
        return decision_dialog(env, parent, renewals[0], decision, done=done)
    wanted = [(r.term_id, r.renewal_date) for r in renewals]
    name = many_name(renewals)
    names = ", ".join(term_name(r) for r in renewals[:6]) + (
        f" and {len(renewals) - 6} more" if len(renewals) > 6 else "")

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.renewals.reminders import decide_many

        note = values.get("note") or ""
        return decide_many(ctx, wanted, values["decision"], note=note.strip() or None)

    dialog = FormDialog(env, f"Decide on {name}", [
        Field("decision", "Decision", kind="choice", choices=(*DECISIONS, "undecided"),
              words=("decision",)),
        Field("note", "Note", kind="multiline", words=("note",),
              help="Said on each of them: why, who agreed…"),
    ], {"decision": decision, "note": ""}, save, parent,
        intro=f"The same decision for {name}: {names}. Once decided, their reminders stop.")
    dialog.saved.connect(lambda rows: _announce(
        env, DECISION, f"{name}: decision recorded ({rows[0].decision.value}).", done))
    dialog.open()
    return dialog
