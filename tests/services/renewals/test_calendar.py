"""The .ics export read back with icalendar: events, all-day dates, stable UIDs, alarms."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from stackadmin.errors import UserError
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import terms, tools
from stackadmin.services.renewals.calendar import event_uid, export_calendar
from tests.conftest import TODAY


def _terms(ctx: ServiceContext) -> tuple[int, int]:
    slack = tools.create_tool(ctx, name="Slack").id
    jira = tools.create_tool(ctx, name="Jira", reminder_leads="45,10").id
    a = terms.create_term(ctx, tool_id=slack, plan="Pro", currency="USD", unit_price="8",
                          seats=3, renewal_date=date(2027, 3, 31), notice_days=30,
                          internal_lead_days=7).id
    b = terms.create_term(ctx, tool_id=jira, currency="USD", unit_price="100",
                          pricing="flat", renewal_date=date(2027, 1, 15)).id
    return a, b


def _read(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def test_one_all_day_event_per_cancel_by_and_renewal(ctx: ServiceContext,
                                                     tmp_path: Path) -> None:
    a, b = _terms(ctx)
    result = export_calendar(ctx, tmp_path / "renewals.ics")
    assert (result.events, result.terms) == (4, 2)
    cal = _read(tmp_path / "renewals.ics")
    assert str(cal["version"]) == "2.0" and "stackadmin" in str(cal["prodid"])
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {
        event_uid(a, "cancel-by"), event_uid(a, "renewal"),
        event_uid(b, "cancel-by"), event_uid(b, "renewal"),
    }
    deadline = events[event_uid(a, "cancel-by")]
    # All-day: DATE values (not date-times), one day long.
    assert deadline.decoded("dtstart") == date(2027, 2, 22)
    assert type(deadline.decoded("dtstart")) is date
    assert deadline.decoded("dtend") == date(2027, 2, 23)
    assert "Slack Pro" in str(deadline["summary"])
    assert "2027-03-31" in str(deadline["description"])


def test_alarms_at_the_lead_times_default_or_the_tools_own(ctx: ServiceContext,
                                                          tmp_path: Path) -> None:
    a, b = _terms(ctx)
    export_calendar(ctx, tmp_path / "r.ics")
    events = {str(e["uid"]): e for e in _read(tmp_path / "r.ics").walk("VEVENT")}

    def triggers(uid: str) -> list[timedelta]:
        return [alarm.decoded("trigger") for alarm in events[uid].walk("VALARM")]

    assert triggers(event_uid(a, "cancel-by")) == [
        timedelta(days=-90), timedelta(days=-60), timedelta(days=-30), timedelta(days=-7)]
    assert triggers(event_uid(b, "cancel-by")) == [
        timedelta(days=-45), timedelta(days=-10)]
    for alarm in events[event_uid(b, "cancel-by")].walk("VALARM"):
        assert str(alarm["action"]) == "DISPLAY" and str(alarm["description"])


def test_uids_are_stable_across_exports(ctx: ServiceContext, tmp_path: Path) -> None:
    _terms(ctx)
    export_calendar(ctx, tmp_path / "one.ics")
    export_calendar(ctx, tmp_path / "two.ics")
    uids = [sorted(str(e["uid"]) for e in _read(tmp_path / n).walk("VEVENT"))
            for n in ("one.ics", "two.ics")]
    assert uids[0] == uids[1] and len(set(uids[0])) == 4


def test_a_rolled_term_exports_its_next_renewal(ctx: ServiceContext, tmp_path: Path) -> None:
    tool = tools.create_tool(ctx, name="Notion").id
    term = terms.create_term(ctx, tool_id=tool, currency="USD", unit_price="1",
                             term_start=date(2025, 11, 1), renewal_date=date(2026, 11, 1)).id
    export_calendar(ctx, tmp_path / "r.ics", as_of=TODAY)
    uids = {str(e["uid"]) for e in _read(tmp_path / "r.ics").walk("VEVENT")}
    assert event_uid(term, "renewal") in uids
    event = next(e for e in _read(tmp_path / "r.ics").walk("VEVENT")
                 if str(e["uid"]) == event_uid(term, "renewal"))
    assert event.decoded("dtstart") == date(2027, 11, 1)


def test_a_changed_date_moves_the_event_under_the_same_uid(ctx: ServiceContext,
                                                            tmp_path: Path) -> None:
    """A notice period or a renewal date corrected: a calendar importing the file again
    moves the event rather than keeping the old deadline beside the new one."""
    a, _b = _terms(ctx)
    export_calendar(ctx, tmp_path / "before.ics")
    term = terms.get_term(ctx, a)
    terms.update_term(ctx, a, expected_version=term.version, notice_days=45,
                      renewal_date=date(2027, 4, 30))
    export_calendar(ctx, tmp_path / "after.ics")
    before, after = ({str(e["uid"]): e.decoded("dtstart") for e in _read(tmp_path / n).walk(
        "VEVENT")} for n in ("before.ics", "after.ics"))
    assert set(before) == set(after)
    assert before[event_uid(a, "cancel-by")] == date(2027, 2, 22)
    assert after[event_uid(a, "cancel-by")] == date(2027, 3, 9)  # 2027-04-30 − 45 − 7
    assert (before[event_uid(a, "renewal")], after[event_uid(a, "renewal")]) == (
        date(2027, 3, 31), date(2027, 4, 30))


def test_a_decided_term_keeps_its_dates_without_alarms(ctx: ServiceContext,
                                                       tmp_path: Path) -> None:
    from stackadmin.services.renewals.reminders import decide

    a, b = _terms(ctx)
    decide(ctx, a, "cancel")
    export_calendar(ctx, tmp_path / "r.ics")
    events = {str(e["uid"]): e for e in _read(tmp_path / "r.ics").walk("VEVENT")}
    decided = events[event_uid(a, "cancel-by")]
    assert not decided.walk("VALARM") and "Decision: cancel" in str(decided["description"])
    assert len(events[event_uid(b, "cancel-by")].walk("VALARM")) == 2  # still undecided


def test_a_missing_folder_is_explained(ctx: ServiceContext, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        export_calendar(ctx, tmp_path / "nope" / "r.ics")


def test_no_dated_term_is_said_and_writes_no_empty_calendar(ctx: ServiceContext,
                                                           tmp_path: Path) -> None:
    """A calendar holds at least one event (RFC 5545; calendar apps refuse an empty one):
    with no renewal to put in it, the export says so and writes nothing."""
    tools.create_tool(ctx, name="Slack")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UserError, match="nothing to put in a calendar"):
        export_calendar(ctx, out / "r.ics")
    assert list(out.iterdir()) == []


def test_a_stop_while_writing_leaves_no_hidden_file(ctx: ServiceContext, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C or SIGTERM while the file is written: neither the calendar nor its hidden
    temporary file is left."""
    import os

    _terms(ctx)

    def stopped(*_args: object) -> None:
        raise KeyboardInterrupt

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(os, "replace", stopped)
    with pytest.raises(KeyboardInterrupt):
        export_calendar(ctx, out / "r.ics")
    assert list(out.iterdir()) == []
