"""Renewals list and reminder services: figures, filters, and persisted, audited answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from stackadmin.domain.money import Money
from stackadmin.domain.vocab import AuditSource, Decision, ReminderKind, ReminderState
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.buying import paid
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.services.inventory import accounts, people, rates, terms, tools
from stackadmin.services.overview import dashboard, first_look
from stackadmin.services.renewals import listing, reminders
from stackadmin.services.seats import utilization
from stackadmin.services.spreadsheets import exports
from stackadmin.store.models import Account, AuditEvent, ReminderStateRow, TermDecision
from tests.conftest import TODAY


def _days(n: int) -> date:
    return TODAY + timedelta(days=n)


def _inventory(ctx: ServiceContext) -> dict[str, int]:
    """Three tools whose cancel-by dates are 20, 5 and 200 days away, and one missed."""
    people.create_person(ctx, email="ada@example.com", name="Ada Lovelace")
    ids = {}
    for name, owner, leads in (("Slack", "ada@example.com", None), ("Figma", None, None),
                               ("Jira", None, "14"), ("Miro", None, None)):
        ids[name] = tools.create_tool(ctx, name=name, owner_email=owner,
                                      reminder_leads=leads).id
    # Slack: renews in 50 days, 30 days' notice -> cancel-by in 20 days; 10 seats at 8 USD/mo.
    ids["slack"] = terms.create_term(
        ctx, tool_id=ids["Slack"], plan="Pro", currency="USD", unit_price="8.00", seats=10,
        billing_period="monthly", term_start=_days(50 - 365), renewal_date=_days(50),
        notice_days=30).id
    # Figma: EUR, no rate recorded; cancel-by in 5 days; does not auto-renew.
    ids["figma"] = terms.create_term(
        ctx, tool_id=ids["Figma"], plan="Org", currency="EUR", unit_price="1000",
        pricing="flat", billing_period="annual", renewal_date=_days(5), auto_renew=False).id
    # Jira: far away.
    ids["jira"] = terms.create_term(
        ctx, tool_id=ids["Jira"], plan="", currency="USD", unit_price="100", pricing="flat",
        renewal_date=_days(260), notice_days=60).id
    # Miro: cancel-by was 10 days ago, renewal in 20 days.
    ids["miro"] = terms.create_term(
        ctx, tool_id=ids["Miro"], plan="Team", currency="USD", unit_price="50", seats=2,
        renewal_date=_days(20), notice_days=30).id
    return ids


def test_the_list_is_ordered_by_cancel_by_with_costs_and_days_left(ctx: ServiceContext) -> None:
    ids = _inventory(ctx)
    rows = listing.list_renewals(ctx)
    assert [r.tool for r in rows] == ["Miro", "Figma", "Slack", "Jira"]
    slack = rows[2]
    assert slack.term_id == ids["slack"]
    assert slack.cancel_by == _days(20) and slack.days_left == 20
    assert slack.annual_cost == Money(96000, "USD")  # 10 seats x 8.00 x 12
    assert slack.annual_cost_base == Money(96000, "USD")
    assert slack.owner == "Ada Lovelace" and slack.owner_email == "ada@example.com"
    assert slack.seats_purchased == 10
    assert slack.seats_active is None  # no account recorded: not known, not 0
    assert slack.leads == (90, 60, 30, 7)
    assert rows[0].days_left == -10 and rows[0].decision is Decision.UNDECIDED
    figma = rows[1]
    assert figma.annual_cost_base is None and figma.missing_rate == "EUR"
    assert rows[3].leads == (14,)


def test_a_rate_converts_to_the_base_currency_rounded_once(ctx: ServiceContext) -> None:
    _inventory(ctx)
    rates.set_rate(ctx, "EUR", "1.0837", as_of=_days(-3))
    figma = next(r for r in listing.list_renewals(ctx) if r.tool == "Figma")
    assert figma.annual_cost_base == Money(108370, "USD") and figma.missing_rate is None


def test_active_seats_come_from_the_utilization_rules(ctx: ServiceContext) -> None:
    ids = _inventory(ctx)
    recent = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) - timedelta(days=2)
    stale = recent - timedelta(days=300)
    accounts.create_account(ctx, tool_id=ids["Slack"], email="a@example.com",
                            last_activity=recent)
    accounts.create_account(ctx, tool_id=ids["Slack"], email="b@example.com",
                            last_activity=stale)
    slack = next(r for r in listing.list_renewals(ctx) if r.tool == "Slack")
    assert slack.seats_active == 1


def test_filters_within_undecided_and_auto_renewing(ctx: ServiceContext) -> None:
    ids = _inventory(ctx)
    within = listing.list_renewals(ctx, within_days=30)
    assert [r.tool for r in within] == ["Miro", "Figma", "Slack"]
    assert [r.tool for r in listing.list_renewals(ctx, within_days=10)] == ["Miro", "Figma"]
    reminders.decide(ctx, ids["miro"], "renew")
    # A decided term whose cancel-by passed is done with; undecided past ones stay.
    assert [r.tool for r in listing.list_renewals(ctx, within_days=10)] == ["Figma"]
    assert "Miro" not in [r.tool for r in listing.list_renewals(ctx, undecided=True)]
    assert "Figma" not in [r.tool for r in listing.list_renewals(ctx, auto_renew=True)]


def test_an_auto_renewing_term_past_its_date_rolls_forward_by_its_term(
        ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Notion").id
    # A 6-month term billed monthly that renewed (on paper) 3 weeks ago.
    terms.create_term(ctx, tool_id=tool, currency="USD", unit_price="10", seats=1,
                      billing_period="monthly", term_start=date(2026, 5, 4),
                      renewal_date=date(2026, 11, 4), notice_days=14)
    row = listing.list_renewals(ctx)[0]
    assert row.rolled and row.renewal_date == date(2027, 5, 4)
    assert row.cancel_by == date(2027, 4, 20)


def test_a_cancel_decision_stops_rolling_forward(ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Notion").id
    term = terms.create_term(ctx, tool_id=tool, currency="USD", unit_price="10",
                             term_start=date(2025, 12, 1), renewal_date=date(2026, 12, 1)).id
    reminders.decide(ctx, term, Decision.CANCEL, note="moving to Confluence")
    later = listing.list_renewals(ctx, as_of=date(2027, 3, 1))[0]
    assert later.renewal_date == date(2026, 12, 1) and later.decision is Decision.CANCEL
    assert reminders.due_reminders(ctx, date(2027, 3, 1)) == []


def test_the_dashboard_does_not_roll_a_cancelled_term_to_a_renewal_it_will_not_have(
        ctx: ServiceContext, db_url: str) -> None:
    """After the renewal at which it was decided cancelled, an auto-renewing term is not
    listed among the dashboard's next renewals for the year after (nor, a year later, as a
    missed deadline), nor as a brief due on the Tools page: as on the Renewals page."""
    tool = tools.create_tool(ctx, name="Notion").id
    term = terms.create_term(ctx, tool_id=tool, currency="USD", unit_price="10", seats=5,
                             term_start=date(2025, 12, 1), renewal_date=date(2026, 12, 1),
                             notice_days=30).id
    reminders.decide(ctx, term, Decision.CANCEL)

    def next_renewals(day: date) -> list[tuple[date | None, bool]]:
        later = open_context(db_url, source=AuditSource.CLI, today=lambda: day)
        try:
            board = dashboard.compute(later, with_seats=False)
            lines = dashboard.renewal_lines(later)
        finally:
            later.close()
        look = first_look.dashboard(db_url, today=day)
        assert look is not None
        assert [r.renewal_date for r in lines] == [date(2026, 12, 1)]
        shown = [(r.renewal_date, r.missed) for r in board.next_renewals]
        assert shown == [(r.renewal_date, r.missed) for r in look.next_renewals]
        return shown

    assert next_renewals(date(2026, 11, 25)) == []  # decided: not missed
    assert next_renewals(date(2027, 10, 15)) == []  # not "renews 2027-12-01"
    assert next_renewals(date(2027, 11, 15)) == []  # nor its cancel-by missed


def test_a_term_decided_cancelled_is_in_force_until_that_renewal_and_not_after(
        ctx: ServiceContext, db_url: str) -> None:
    """Spend, seats purchased, the finance export, the tools paid for and the dashboard (both
    its start-up read and its full one) agree with the Renewals page: an auto-renewing term
    decided cancelled runs to that renewal and is not rolled past it."""
    tool = tools.create_tool(ctx, name="Notion").id
    term = terms.create_term(ctx, tool_id=tool, currency="USD", unit_price="10", seats=5,
                             term_start=date(2025, 12, 1), renewal_date=date(2026, 12, 1)).id
    kept = tools.create_tool(ctx, name="Linear").id
    terms.create_term(ctx, tool_id=kept, currency="USD", unit_price="8", seats=3,
                      term_start=date(2025, 12, 1), renewal_date=date(2026, 12, 1))
    reminders.decide(ctx, term, Decision.CANCEL)
    assert terms.get_term(ctx, term).cancelled_at == date(2026, 12, 1)

    def seen(day: date) -> dict[str, object]:
        report = utilization.compute(ctx, day)
        notion = next(t for t in report.tools if t.tool_id == tool)
        later = open_context(db_url, source=AuditSource.CLI, today=lambda: day)
        try:
            board = dashboard.compute(later, with_seats=False)
        finally:
            later.close()
        look = first_look.dashboard(db_url, today=day)
        assert look is not None
        return {"purchased": notion.seats_purchased,
                "finance": sorted(r.tool for r in exports.finance_report(ctx, day).rows),
                "paid": sorted(paid.tools_in_force(ctx, day)),
                "spend": sorted(line.tool for line in board.spend),
                "first look": sorted(line.tool for line in look.spend)}

    assert seen(date(2026, 11, 30)) == {
        "purchased": 5, "finance": ["Linear", "Notion"], "paid": sorted([tool, kept]),
        "spend": ["Linear", "Notion"], "first look": ["Linear", "Notion"]}
    assert seen(date(2026, 12, 1)) == {
        "purchased": 0, "finance": ["Linear"], "paid": [kept], "spend": ["Linear"],
        "first look": ["Linear"]}
    reminders.decide(ctx, term, Decision.UNDECIDED)  # withdrawn: it rolls forward again
    assert seen(date(2027, 1, 15))["finance"] == ["Linear", "Notion"]


def test_due_reminders_one_per_term_most_urgent_first(ctx: ServiceContext) -> None:
    ids = _inventory(ctx)
    due = reminders.due_reminders(ctx)
    assert [(d.renewal.tool, d.key.kind, d.key.lead_days) for d in due] == [
        ("Miro", ReminderKind.MISSED, 0), ("Figma", ReminderKind.LEAD, 7),
        ("Slack", ReminderKind.LEAD, 30)]
    assert all(d.is_new for d in due)
    assert due[2].renewal.term_id == ids["slack"]
    assert "missed" in due[0].label and "in 5 days" in due[1].label


def _events(ctx: ServiceContext, entity: str) -> list[audit.AuditRow]:
    return audit.list_events(ctx, entity=entity)


def test_mark_shown_persists_and_is_not_an_activity_entry(ctx: ServiceContext,
                                                          db_url: str) -> None:
    _inventory(ctx)
    due = reminders.due_reminders(ctx, new_only=True)
    assert reminders.mark_shown(ctx, [d.key for d in due]) == 3
    again = open_context(db_url, today=lambda: TODAY)
    try:
        assert reminders.due_reminders(again, new_only=True) == []
        listed = reminders.due_reminders(again)
        assert len(listed) == 3 and {d.state for d in listed} == {ReminderState.SHOWN}
    finally:
        again.close()
    # A notice shown changes nothing in the inventory: no audit event (it buried the changes).
    assert _events(ctx, "reminder_state") == []
    with ctx.read() as session:
        rows = session.scalars(select(ReminderStateRow)).all()
    assert len(rows) == 3 and all(r.shown_at is not None for r in rows)  # when, still kept
    reminders.mark_shown(ctx, [d.key for d in due])
    assert _events(ctx, "reminder_state") == []
    # Answers are changes: snoozing several at once is one transaction, each audited.
    end = reminders.snooze_many(ctx, [d.key for d in due[:2]], days=7)
    assert end == TODAY + timedelta(days=7)
    assert len(_events(ctx, "reminder_state")) == 2
    assert reminders.acknowledge_many(ctx, [due[2].key]) == 1
    assert reminders.due_reminders(ctx) == []


def test_two_stackadmins_showing_the_same_reminder_at_once_both_succeed(
        ctx: ServiceContext, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second window (or a cron run) records the same reminder shown while this one is
    between its read and its write: it waits for this one's write lock, then finds the row
    this one wrote. No error, one row."""
    import threading

    _inventory(ctx)
    key = reminders.due_reminders(ctx, new_only=True)[0].key
    other = open_context(db_url, today=lambda: TODAY)
    original = reminders.rules.shown
    outcome: list[object] = []

    def elsewhere() -> None:
        try:
            outcome.append(reminders.mark_shown(other, [key]))
        except BaseException as exc:  # reported below
            outcome.append(exc)

    racer = threading.Thread(target=elsewhere)

    def shown_elsewhere_meanwhile(mark):  # type: ignore[no-untyped-def]
        if not racer.is_alive() and not outcome:
            racer.start()
            racer.join(0.5)  # it waits for this transaction's lock
            assert racer.is_alive() and not outcome
        return original(mark)

    monkeypatch.setattr(reminders.rules, "shown", shown_elsewhere_meanwhile)
    try:
        assert reminders.mark_shown(ctx, [key]) == 1
        racer.join(30)
    finally:
        other.close()
    assert outcome == [1]
    with ctx.read() as session:
        rows = session.scalars(select(ReminderStateRow).where(
            ReminderStateRow.term_id == key.term_id)).all()
    assert [(r.state, r.lead_days) for r in rows] == [("shown", key.lead_days)]


def test_snooze_hides_until_the_date_and_is_audited(ctx: ServiceContext, db_url: str) -> None:
    _inventory(ctx)
    slack = next(d for d in reminders.due_reminders(ctx) if d.renewal.tool == "Slack")
    end = reminders.snooze(ctx, slack.key, days=reminders.SNOOZE_WEEK)
    assert end == _days(7)
    assert "Slack" not in [d.renewal.tool for d in reminders.due_reminders(ctx, _days(6))]
    back = [d for d in reminders.due_reminders(ctx, _days(7)) if d.renewal.tool == "Slack"]
    assert back and back[0].is_new and back[0].key == slack.key
    event = _events(ctx, "reminder_state")[0]
    assert event.changes == {"state": ["pending", "snoozed"],
                             "snoozed_until": [None, _days(7).isoformat()]}
    assert "snoozed until" in event.summary and "Slack Pro" in event.summary


def test_a_snooze_into_the_past_is_refused_and_nothing_is_written(ctx: ServiceContext) -> None:
    _inventory(ctx)
    key = reminders.due_reminders(ctx)[0].key
    with pytest.raises(ValidationError, match="after today"):
        reminders.snooze(ctx, key, until=TODAY)
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(ReminderStateRow)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.entity == "reminder_state")) == 0


def test_acknowledge_hides_that_lead_only(ctx: ServiceContext) -> None:
    _inventory(ctx)
    slack = next(d for d in reminders.due_reminders(ctx) if d.renewal.tool == "Slack")
    reminders.acknowledge(ctx, slack.key)
    for n in range(0, 13):
        assert "Slack" not in [d.renewal.tool for d in reminders.due_reminders(ctx, _days(n))]
    seven = [d for d in reminders.due_reminders(ctx, _days(13)) if d.renewal.tool == "Slack"]
    assert seven and seven[0].key.lead_days == 7


def test_a_decision_ends_the_reminders_and_is_audited_with_its_note(
        ctx: ServiceContext) -> None:
    ids = _inventory(ctx)
    row = reminders.decide(ctx, ids["slack"], "Renegotiate", note="ask for 20% off")
    assert row.decision is Decision.RENEGOTIATE and row.renewal_date == _days(50)
    assert "Slack" not in [d.renewal.tool for d in reminders.due_reminders(ctx)]
    assert "Slack" not in [d.renewal.tool for d in reminders.due_reminders(ctx, _days(45))]
    listed = next(r for r in listing.list_renewals(ctx) if r.tool == "Slack")
    assert listed.decision is Decision.RENEGOTIATE and listed.decision_note == "ask for 20% off"
    event = _events(ctx, "term_decision")[0]
    assert event.action == "create"
    assert event.changes == {"decision": [None, "renegotiate"], "note": [None, "ask for 20% off"]}
    # Changing it updates the one row; withdrawing it brings the reminders back.
    reminders.decide(ctx, ids["slack"], Decision.RENEW)
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(TermDecision)) == 1
    reminders.decide(ctx, ids["slack"], Decision.UNDECIDED)
    assert "Slack" in [d.renewal.tool for d in reminders.due_reminders(ctx)]
    assert [e.action for e in _events(ctx, "term_decision")] == ["delete", "update", "create"]


def test_a_bad_decision_is_explained_and_nothing_is_written(ctx: ServiceContext) -> None:
    ids = _inventory(ctx)
    with pytest.raises(ValidationError, match="renew, renegotiate, cancel"):
        reminders.decide(ctx, ids["slack"], "maybe")
    with pytest.raises(NotFoundError):
        reminders.decide(ctx, 9999, "renew")
    assert _events(ctx, "term_decision") == []


def test_a_rolled_cycle_needs_a_new_decision(ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Notion").id
    term = terms.create_term(ctx, tool_id=tool, currency="USD", unit_price="10",
                             term_start=date(2025, 12, 20), renewal_date=date(2026, 12, 20)).id
    reminders.decide(ctx, term, "renew")
    assert reminders.due_reminders(ctx) == []
    # A year on, the term rolled to 2027-12-20: that renewal is undecided.
    due = reminders.due_reminders(ctx, date(2027, 11, 1))
    assert [(d.key.renewal_date, d.key.lead_days) for d in due] == [(date(2027, 12, 20), 60)]


def test_find_term_by_tool_and_plan(ctx: ServiceContext) -> None:
    ids = _inventory(ctx)
    assert listing.find_term(ctx, "slack") == ids["slack"]
    terms.create_term(ctx, tool_id=ids["Slack"], plan="Enterprise", currency="USD",
                      renewal_date=_days(100))
    with pytest.raises(ValidationError, match="--plan"):
        listing.find_term(ctx, "Slack")
    assert listing.find_term(ctx, "Slack", "pro") == ids["slack"]
    with pytest.raises(NotFoundError, match="no tool named"):
        listing.find_term(ctx, "Nope")


def test_active_seats_agree_with_the_utilization_report(ctx: ServiceContext) -> None:
    from stackadmin.services.seats import utilization

    ids = _inventory(ctx)
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
    gone = people.create_person(ctx, email="gone@example.com")
    people.mark_departed(ctx, gone.id, TODAY - timedelta(days=3))
    people.create_person(ctx, email="bot@example.com")
    tools.update_tool(ctx, ids["Figma"], inactivity_days=400)
    seats = [
        ("Slack", "a@example.com", {"last_activity": now - timedelta(days=1)}),
        ("Slack", "gone@example.com", {"last_activity": now - timedelta(days=1)}),
        ("Slack", "s@example.com", {"last_activity": now, "status": "deprovisioned"}),
        ("Slack", "i@example.com", {"status": "invited"}),
        ("Figma", "f@example.com", {"last_activity": now - timedelta(days=300)}),
        ("Figma", "bot@example.com", {"last_activity": now, "is_bot": True}),
        ("Miro", "m@example.com", {"last_activity": now - timedelta(days=200)}),
    ]
    for tool, email, extra in seats:
        accounts.create_account(ctx, tool_id=ids[tool], email=email, **extra)
    jira = accounts.create_account(ctx, tool_id=ids["Jira"], email="j@example.com")
    with ctx.transaction() as session:  # Jira's source reports no activity
        session.get(Account, jira.id).activity_known = False  # type: ignore[union-attr]
    # The report's active seats, and "not known" where it has no seat data or no activity.
    report = {t.tool_id: t.seats_active if t.seat_data and t.activity_known else None
              for t in utilization.compute(ctx, TODAY).tools}
    mine = listing.active_seats(ctx, TODAY, report.keys())
    assert mine == report
    assert mine[ids["Jira"]] is None
    assert mine[ids["Slack"]] > 0 and mine[ids["Miro"]] == 0  # not a comparison of zeros
    listed = {r.tool: r.seats_active for r in listing.list_renewals(ctx)}
    assert listed["Slack"] == report[ids["Slack"]]
    due = {d.renewal.tool: d.renewal.seats_active for d in reminders.due_reminders(ctx)}
    assert due["Slack"] == report[ids["Slack"]]


def test_catch_up_after_40_closed_days_one_new_reminder_per_term(ctx: ServiceContext) -> None:
    _inventory(ctx)
    reminders.mark_shown(ctx, [d.key for d in reminders.due_reminders(ctx, new_only=True)])
    later = reminders.due_reminders(ctx, _days(40), new_only=True)
    # Slack and Figma passed their cancel-by while closed; Jira's 260-day term is not due.
    # Miro's missed notice was shown already: it does not come back.
    assert [(d.renewal.tool, d.key.kind) for d in later] == [
        ("Figma", ReminderKind.MISSED), ("Slack", ReminderKind.MISSED)]
    assert len({d.key.term_id for d in later}) == len(later)
