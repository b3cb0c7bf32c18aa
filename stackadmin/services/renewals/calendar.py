"""Renewal and cancel-by dates as an iCalendar (.ics) file for any calendar application."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from stackadmin import __version__
from stackadmin.errors import UserError
from stackadmin.services.context import ServiceContext
from stackadmin.services.renewals.listing import RenewalRow, list_renewals

PRODID = f"-//stackadmin//renewals {__version__}//EN"
UID_DOMAIN = "renewals.stackadmin"


@dataclass(frozen=True, slots=True)
class CalendarExport:
    path: Path
    events: int
    terms: int


def event_uid(term_id: int, kind: str) -> str:
    """Stable across exports: one UID per term and kind (cancel-by, renewal), whatever its
    date, so a calendar that imports the file again moves the event (a notice period or a
    renewal date corrected, the next cycle of a term that renews by itself) instead of
    keeping the old date beside the new one."""
    return f"{kind}-{term_id}@{UID_DOMAIN}"


def _name(row: RenewalRow) -> str:
    return f"{row.tool} {row.plan}".strip()


def _details(row: RenewalRow) -> str:
    cost = row.annual_cost_base or row.annual_cost
    lines = [
        f"Renewal date: {row.renewal_date.isoformat()}"
        + (" (renews automatically)" if row.auto_renew else ""),
        f"Cancel by: {row.cancel_by.isoformat()}"
        + (f" ({row.notice_days} days' notice" if row.notice_days else " (no notice period")
        + (f", {row.internal_lead_days} days internal lead)" if row.internal_lead_days
           else ")"),
        f"Annual cost: {cost}",
        f"Decision: {row.decision.value}",
    ]
    if row.seats_purchased is not None:
        lines.append(f"Seats purchased: {row.seats_purchased}")
    if row.owner:
        lines.append(f"Owner: {row.owner}")
    return "\n".join(lines)


def _event(row: RenewalRow, kind: str, day: date, summary: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", event_uid(row.term_id, kind))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a date value: an all-day event
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", _details(row))
    event.add("categories", ["stackadmin", kind])
    event.add("transp", "TRANSPARENT")  # a deadline, not a busy slot
    return event


def _alarm(row: RenewalRow, lead: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Cancel-by date for {_name(row)} in {lead} days"
              if lead else f"Last day to cancel {_name(row)}")
    alarm.add("trigger", timedelta(days=-lead))
    return alarm


def build_calendar(rows: list[RenewalRow], stamp: datetime | None = None) -> Calendar:
    """One all-day event per cancel-by date and per renewal date; the cancel-by event of an
    undecided term carries an alarm at each lead time of the term's tool (once decided, no
    more reminders: its events say the decision)."""
    when = stamp or datetime.now(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "SaaS renewals")
    for row in rows:
        deadline = _event(row, "cancel-by", row.cancel_by,
                          f"Cancel-by: {_name(row)} (renews {row.renewal_date.isoformat()})",
                          when)
        for lead in () if row.decided else row.leads:
            deadline.add_component(_alarm(row, lead))
        cal.add_component(deadline)
        cal.add_component(_event(row, "renewal", row.renewal_date,
                                 f"Renewal: {_name(row)}", when))
    return cal


def export_calendar(ctx: ServiceContext, path: str | Path,
                    as_of: date | None = None) -> CalendarExport:
    """Writes the .ics file for every open term's renewal in play on `as_of` (today)."""
    target = ctx.output_path(path)
    rows = list_renewals(ctx, as_of=as_of, with_seats=False)
    if not rows:
        # A calendar holds at least one event (RFC 5545): calendar apps refuse an empty one.
        day = (as_of or ctx.today()).isoformat()
        raise UserError(f"no open term has a renewal date on {day}: there is nothing to put "
                        f"in a calendar, and {target.name} was not written")
    data = build_calendar(rows).to_ical()
    # Written beside the target and renamed: a calendar never reads half a file.
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".stackadmin-", suffix=".ics", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:  # a failed write or a stop (Ctrl+C, SIGTERM) leaves no hidden half file
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return CalendarExport(target, 2 * len(rows), len(rows))
