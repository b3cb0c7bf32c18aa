"""`stackadmin reminders`, `decide`, `snooze`, `acknowledge`, `export calendar`, run as users do."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from icalendar import Calendar

from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import rates, terms, tools
from tests.cli.conftest import Run
from tests.conftest import TODAY

AS_OF = TODAY.isoformat()
KEYS = {"tool", "plan", "renewal_date", "cancel_by", "days_left", "auto_renew",
        "annual_cost_base", "base_currency", "decision"}


def _days(n: int) -> date:
    return TODAY + timedelta(days=n)


def _inventory(ctx: ServiceContext) -> None:
    for name, plan, currency, cancel_in, auto in (
            ("Slack", "Pro", "USD", 20, True), ("Figma", "Org", "EUR", 5, False),
            ("Jira", "", "USD", 200, True), ("Miro", "Team", "JPY", -10, True)):
        tool = tools.create_tool(ctx, name=name).id
        terms.create_term(ctx, tool_id=tool, plan=plan, currency=currency, unit_price="1200",
                          pricing="flat", renewal_date=_days(cancel_in + 30), notice_days=30,
                          auto_renew=auto)
    rates.set_rate(ctx, "JPY", "0.0066", as_of=_days(-30))


def test_reminders_json_lists_due_terms_in_cancel_by_order(run: Run, ctx: ServiceContext) -> None:
    _inventory(ctx)
    result = run("reminders", "--as-of", AS_OF, "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["tool"] for r in rows] == ["Miro", "Figma", "Slack"]
    assert all(set(r) >= KEYS for r in rows)
    miro, figma, slack = rows
    assert miro["days_left"] == -10 and miro["cancel_by"] == _days(-10).isoformat()
    assert miro["renewal_date"] == _days(20).isoformat()
    assert miro["annual_cost_base"] == "7.92"  # 1200 JPY a year x 0.0066, in cents
    assert figma["annual_cost_base"] is None and figma["missing_rate"] == "EUR"
    assert figma["auto_renew"] is False and slack["auto_renew"] is True
    assert slack["base_currency"] == "USD" and slack["decision"] == "undecided"
    assert slack["days_left"] == 20 and slack["plan"] == "Pro"


def test_within_widens_the_window(run: Run, ctx: ServiceContext) -> None:
    _inventory(ctx)
    rows = json.loads(run("reminders", "--as-of", AS_OF, "--within", "365", "--json").out)
    assert [r["tool"] for r in rows] == ["Miro", "Figma", "Slack", "Jira"]
    rows = json.loads(run("reminders", "--as-of", AS_OF, "--within", "0", "--json").out)
    assert [r["tool"] for r in rows] == ["Miro"]


def test_nothing_due_still_exits_0(run: Run, ctx: ServiceContext) -> None:
    result = run("reminders", "--json")
    assert result.code == 0 and json.loads(result.out) == []
    human = run("reminders", "--as-of", AS_OF)
    assert human.code == 0 and "nothing due" in human.out


def test_the_human_table_is_readable(run: Run, ctx: ServiceContext) -> None:
    _inventory(ctx)
    result = run("reminders", "--as-of", AS_OF)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split()[:2] == ["cancel", "by"]
    assert "Miro" in lines[2] and "MISSED" in lines[2]
    assert "no EUR rate" in lines[3]


def test_a_bad_date_or_window_is_a_usage_error(run: Run) -> None:
    bad = run("reminders", "--as-of", "25/11/2026")
    assert bad.code == 2 and "YYYY-MM-DD" in bad.err
    assert run("reminders", "--within", "soon").code == 2
    assert run("reminders", "--within", "-3").code == 2


def test_decide_records_and_the_term_leaves_the_undecided_past(run: Run,
                                                               ctx: ServiceContext) -> None:
    _inventory(ctx)
    result = run("decide", "miro", "cancel", "--note", "unused", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "cancel" in result.out
    rows = json.loads(run("reminders", "--as-of", AS_OF, "--json").out)
    assert "Miro" not in [r["tool"] for r in rows]
    event = audit.list_events(ctx, entity="term_decision")[0]
    assert event.source == "cli" and event.changes is not None
    assert event.changes["note"] == [None, "unused"]
    assert run("decide", "Miro", "perhaps").code == 2
    missing = run("decide", "Nope", "renew")
    assert missing.code == 1 and "no tool named" in missing.err


def test_snooze_and_acknowledge_from_the_command_line(run: Run, ctx: ServiceContext) -> None:
    _inventory(ctx)
    snoozed = run("snooze", "Slack", "--days", "7", "--as-of", AS_OF)
    assert snoozed.code == 0, snoozed.err
    assert f"until {_days(7).isoformat()}" in snoozed.out
    # Nothing is showing for Slack now: a second snooze is explained, not a crash.
    again = run("snooze", "Slack", "--days", "1", "--as-of", AS_OF)
    assert again.code == 1 and "no reminder is showing" in again.err
    ack = run("acknowledge", "Figma", "--as-of", AS_OF)
    assert ack.code == 0 and "acknowledged" in ack.out
    states = {e.summary.split(" for ")[1].split(" (")[0]: e.changes
              for e in audit.list_events(ctx, entity="reminder_state")}
    assert states["Slack Pro"] == {"state": ["pending", "snoozed"],
                                   "snoozed_until": [None, _days(7).isoformat()]}
    assert states["Figma Org"] == {"state": ["pending", "acknowledged"]}
    assert run("snooze", "Slack", "--as-of", AS_OF).code == 2  # needs --days or --until


def test_export_calendar_writes_a_file_calendars_can_read(run: Run, ctx: ServiceContext,
                                                          tmp_path: Path) -> None:
    _inventory(ctx)
    target = tmp_path / "renewals.ics"
    result = run("export", "calendar", str(target), "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "8 events" in result.out
    cal = Calendar.from_ical(target.read_bytes())
    starts = sorted(e.decoded("dtstart") for e in cal.walk("VEVENT"))
    assert starts[0] == _days(-10) and len(starts) == 8
    assert run("export").code == 2
    missing = run("export", "calendar", str(tmp_path / "no" / "x.ics"))
    assert missing.code == 1 and "does not exist" in missing.err
