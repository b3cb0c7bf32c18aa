"""The sync engine with each built-in plugin against a loopback vendor: what a first sync
adds, that a second changes nothing, removals deprovision, failures and cancels leave the
database as it was, the brake, dry runs, and the run history."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from stackadmin.domain.vocab import AccountStatus
from stackadmin.plugins.http import Progress
from stackadmin.plugins.testing import Reply
from stackadmin.services.seats import utilization
from stackadmin.services.sync import engine, history
from stackadmin.store.models import Account, AccountListing, AuditEvent, SyncRun
from tests.services.sync.conftest import (
    BILLING,
    MEMBERS,
    SEATS,
    Kit,
    body,
    dump,
    member,
    scim_user,
    seat,
)


def accounts(kit: Kit) -> dict[str, tuple[str, datetime | None]]:
    with kit.ctx.read() as session:
        return {email: (status, last) for email, status, last in session.execute(
            select(Account.email, Account.status, Account.last_activity))}


@pytest.mark.parametrize("plugin", ["github-copilot", "github", "scim"])
def test_a_second_sync_changes_nothing(kit: Kit, plugin: str) -> None:
    users = range(7)
    if plugin == "github-copilot":
        kit.serve_copilot([seat(n) for n in users])
    elif plugin == "github":
        kit.serve_github([member(n) for n in users[1:]], owners=[member(0)])
    else:
        kit.serve_scim([scim_user(n) for n in users])
    kit.add(plugin, name="acme", tool="Tool")
    first = kit.sync("acme")
    assert first.ok, first.error
    assert (first.added, first.changed, first.deprovisioned, first.unchanged) == (7, 0, 0, 0)
    assert first.pages >= 3
    before = dump(kit.ctx)
    second = kit.sync("acme")
    assert (second.added, second.changed, second.deprovisioned, second.unchanged) == (
        0, 0, 0, 7)
    assert dump(kit.ctx) == before  # not one row written, not one audit event


def test_a_removal_upstream_deprovisions_and_deletes_nothing(kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(6)])
    kit.add()
    kit.sync()
    kit.serve_copilot([seat(n) for n in range(6) if n != 2])
    result = kit.sync()
    assert (result.added, result.deprovisioned, result.unchanged) == (0, 1, 5)
    found = accounts(kit)
    assert len(found) == 6  # kept, with its history
    assert found["user2@example.com"][0] == AccountStatus.DEPROVISIONED.value
    with kit.ctx.read() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.entity == "account", AuditEvent.source == "sync")).one()
        assert event.changes == {"status": ["active", "deprovisioned"]}
        gone = session.scalars(select(Account).where(
            Account.email == "user2@example.com")).one()
        assert gone.last_seen_sync is not None  # when it was last listed
        assert session.scalar(select(func.count()).select_from(AccountListing)) == 5
    # Back upstream: active again, an update of the same account.
    kit.serve_copilot([seat(n) for n in range(6)])
    back = kit.sync()
    assert (back.added, back.changed) == (0, 1)
    assert accounts(kit)["user2@example.com"][0] == "active"


def test_an_email_change_is_an_update_of_the_same_account(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    kit.sync()
    renamed = seat(1)
    renamed["assignee"]["email"] = "Ada.Renamed@Example.com"
    kit.serve_copilot([renamed])
    result = kit.sync()
    assert (result.added, result.changed) == (0, 1)
    assert list(accounts(kit)) == ["ada.renamed@example.com"]


def test_accounts_are_matched_to_people_by_email_in_any_case(kit: Kit) -> None:
    from stackadmin.services.inventory import people

    ada = people.create_person(kit.ctx, email="user1@example.com", name="Ada")
    upper = seat(1)
    upper["assignee"]["email"] = "USER1@Example.COM"
    kit.serve_copilot([upper, seat(2)])
    kit.add()
    kit.sync()
    with kit.ctx.read() as session:
        linked = dict(session.execute(select(Account.email, Account.person_id)).all())
    assert linked == {"user1@example.com": ada.id, "user2@example.com": None}


def test_an_account_typed_in_before_is_taken_over_by_email(kit: Kit) -> None:
    from stackadmin.services.inventory import accounts as accounts_service
    from stackadmin.services.inventory import tools

    tool = tools.create_tool(kit.ctx, name="GitHub Copilot")
    typed = accounts_service.create_account(kit.ctx, tool_id=tool.id,
                                            email="user1@example.com", role="admin")
    kit.serve_copilot([seat(1), seat(2)])
    kit.add()
    result = kit.sync()
    assert (result.added, result.changed) == (1, 1)  # user1 taken over (role admin → member)
    with kit.ctx.read() as session:
        row = session.get(Account, typed.id)
        assert row is not None and row.external_id == "1001" and row.source == "sync"


def test_activity_never_goes_backwards(kit: Kit) -> None:
    known = "2026-11-20T10:00:00Z"
    kit.serve_copilot([seat(1, last_activity_at=known), seat(2, last_activity_at=known)])
    kit.add()
    kit.sync()
    # Copilot forgets after 90 idle days (null), or reports an older date: the known stays.
    kit.serve_copilot([seat(1, last_activity_at=None),
                       seat(2, last_activity_at="2026-10-01T00:00:00Z")])
    result = kit.sync()
    assert (result.changed, result.unchanged) == (0, 2)
    expected = datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert {e: last for e, (_s, last) in accounts(kit).items()} == {
        "user1@example.com": expected, "user2@example.com": expected}
    kit.serve_copilot([seat(1, last_activity_at="2026-11-24T09:00:00Z")])
    newer = kit.sync(force=True)
    assert newer.changed == 1
    assert accounts(kit)["user1@example.com"][1] == datetime(2026, 11, 24, 9, tzinfo=UTC)


def test_scim_accounts_are_activity_unknown_never_inactive(kit: Kit) -> None:
    kit.serve_scim([scim_user(1), scim_user(2, active=False)])
    kit.add("scim", name="Figma SCIM", tool="Figma")
    result = kit.sync("Figma SCIM")
    # An inactive user first seen already removed holds no seat: not added.
    assert result.added == 1 and any("never seen before" in n for n in result.notices)
    with kit.ctx.read() as session:
        known = session.scalars(select(Account.activity_known)).all()
    assert known == [False]
    report = utilization.compute(kit.ctx)
    figma = report.tools[0]
    assert (figma.seats_unused, figma.seats_activity_unknown, figma.activity_known) == (
        0, 1, False)


def test_a_seat_being_cancelled_is_not_unused_nor_a_saving(kit: Kit) -> None:
    from stackadmin.services.inventory import terms

    idle = "2025-01-01T00:00:00Z"  # far beyond any inactivity threshold
    kit.serve_copilot([seat(1, last_activity_at=idle),
                       seat(2, last_activity_at=idle, pending_cancellation_date="2026-12-31")])
    row = kit.add()
    terms.create_term(kit.ctx, tool_id=row.tool_id, currency="USD", unit_price="19.00",
                      seats=2, billing_period="monthly", term_start=date(2026, 1, 1),
                      renewal_date=date(2027, 1, 1))
    kit.sync()
    report = utilization.compute(kit.ctx)
    unused = [s.email for s in report.unused]
    assert unused == ["user1@example.com"]
    cancelling = next(s for s in report.seats if s.email == "user2@example.com")
    assert cancelling.pending_cancellation == date(2026, 12, 31) and cancelling.reason is None
    figures = report.tools[0]
    assert figures.seats_cancelling == 1
    assert figures.potential_savings_base == 19 * 12  # one seat, a year
    # The vendor's own count (the documented breakdown: 12) differs from the contract's 2.
    assert (figures.vendor_seats_purchased, figures.vendor_mismatch) == (12, True)


@pytest.mark.parametrize("fault", ["401", "storm", "timeout", "malformed", "html", "repeat"])
def test_a_failed_fetch_leaves_every_account_as_it_was(kit: Kit, fault: str) -> None:
    kit.serve_copilot([seat(n) for n in range(9)])
    kit.add()
    kit.sync()
    before = dump(kit.ctx)
    kit.serve_copilot([seat(n) for n in range(5)])  # would deprovision four...
    if fault == "401":
        kit.vendor.add(SEATS, Reply.error(401, "Bad credentials"))
    elif fault == "storm":
        kit.vendor.add(SEATS, Reply.unavailable(503, retry_after=1), query={"page": "2"})
    elif fault == "timeout":
        kit.vendor.add(SEATS, Reply.json({"total_seats": 9, "seats": []}).after(1.5),
                       query={"page": "2"})
    elif fault == "malformed":
        kit.vendor.add(SEATS, Reply.truncated({"total_seats": 9, "seats": [seat(3)]}),
                       query={"page": "2"})
    elif fault == "html":
        kit.vendor.add(SEATS, Reply.html("Sign in to GitHub"), query={"page": "2"})
    else:  # a page whose next link points back at itself
        kit.vendor.add(SEATS, Reply.json({"total_seats": 9, "seats": [seat(3)]}, headers={
            "Link": f'<{kit.vendor.url}{SEATS}?per_page=100&page=2>; rel="next"'}),
            query={"page": "2"})
    result = kit.sync(force=True)
    assert result.status == "failed" and result.error
    assert dump(kit.ctx) == before  # byte for byte: no account, listing or audit row
    with kit.ctx.read() as session:
        run = session.get(SyncRun, result.run_id)
        assert run is not None and run.status == "failed" and run.error == result.error
        assert run.finished_at is not None and run.error_kind == result.error_kind
    words = {"401": "token was rejected", "storm": "gave up after 4 attempts",
             "timeout": "did not answer", "malformed": "JSON", "html": "HTML",
             "repeat": "again after page 2"}
    assert words[fault] in (result.error or ""), result.error


def test_a_cancelled_sync_changes_nothing_and_is_recorded(kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(9)], per_page=2)
    kit.add()
    kit.sync()
    before = dump(kit.ctx)
    kit.serve_copilot([seat(n) for n in range(3)], per_page=1)
    stop = threading.Event()

    def progress(step: Progress) -> None:
        if step.pages >= 2:
            stop.set()  # the user presses Cancel while page 2 is shown

    result = kit.sync(progress=progress, cancelled=stop.is_set)
    assert result.status == "cancelled"
    assert dump(kit.ctx) == before
    assert history.runs(kit.ctx, result.integration_id or 0)[0].status == "cancelled"


def test_a_cancel_while_writing_rolls_everything_back(kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(4)])
    kit.add()
    before = dump(kit.ctx)
    staged = engine.stage(kit.ctx, "Copilot acme", **kit.settings())
    assert isinstance(staged, engine.Staged)
    result = engine.apply(kit.ctx, staged, cancelled=lambda: True)
    assert result.status == "cancelled"
    assert dump(kit.ctx) == before


def test_the_brake_stops_a_mass_deprovision_and_force_goes_through(kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(10)])
    kit.add()
    kit.sync()
    before = dump(kit.ctx)
    kit.serve_copilot([seat(n) for n in range(7)])  # 3 of 10 gone: 30 % > 20 %
    stopped = kit.sync()
    assert (stopped.status, stopped.error_kind) == ("failed", "brake")
    assert "3 of the 10 accounts" in (stopped.error or "") and "--force" in (stopped.error or "")
    assert dump(kit.ctx) == before
    # Nothing written, nothing counted: the result says what the run's history says.
    assert (stopped.added, stopped.changed, stopped.deprovisioned, stopped.unchanged) == (
        0, 0, 0, 0)
    with kit.ctx.read() as session:
        run = session.get(SyncRun, stopped.run_id)
        assert run is not None and (run.deprovisioned, run.unchanged) == (0, 0)
    forced = kit.sync(force=True)
    assert forced.ok and forced.deprovisioned == 3 and forced.forced


def test_the_brake_is_set_per_integration(kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(10)])
    kit.add(brake="50")
    kit.sync()
    kit.serve_copilot([seat(n) for n in range(7)])
    assert kit.sync().ok  # 30 % is within a 50 % brake


def test_a_dry_run_writes_nothing_but_its_run(kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(4)])
    kit.add()
    kit.sync()
    changed = seat(1, last_activity_at="2026-11-24T09:00:00Z")
    changed["assignee"]["email"] = "new@example.com"
    kit.serve_copilot([seat(0), changed, seat(2), seat(9)])
    before = dump(kit.ctx)
    result = kit.sync(dry_run=True)
    assert result.ok and result.dry_run
    assert (result.added, result.changed, result.deprovisioned, result.unchanged) == (1, 1, 1, 2)
    assert dump(kit.ctx) == before
    lines = {(line.action, line.account): line for line in result.lines}
    assert set(lines) == {("add", "user9@example.com"), ("change", "new@example.com"),
                          ("deprovision", "user3@example.com")}
    fields = {f: (b, a) for f, b, a in lines[("change", "new@example.com")].fields}
    assert fields["email"] == ("user1@example.com", "new@example.com")
    assert fields["last_activity"][1] == datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert result.brake is not None  # 1 of 4 is 25 %: the real sync would stop
    run = history.runs(kit.ctx, result.integration_id or 0)[0]
    assert (run.dry_run, run.added, run.changed) == (True, 1, 1)
    json = result.to_json()
    [added] = json["changes"]["add"]
    assert added["account"] == "user9@example.com"
    assert added["fields"]["role"] == [None, "member"]


def test_a_run_records_its_pages_retries_and_counts(kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(5)], per_page=2)
    kit.vendor.add(SEATS, Reply.throttle(retry_after=2), times=1)
    kit.add()
    result = kit.sync()
    assert result.ok and result.retries == 1 and result.pages == 3
    run = history.runs(kit.ctx, result.integration_id or 0)[0]
    assert (run.status, run.added, run.pages, run.retries, run.requests) == ("ok", 5, 3, 1, 5)
    assert kit.clock.slept == 2  # Retry-After honoured, on the fake clock


def test_a_missing_secret_fails_in_words(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    kit.keyring.store.clear()  # another computer sharing the database has its own keyring
    result = kit.sync()
    assert (result.status, result.error_kind) == ("failed", "secret")
    assert "--secret-stdin" in (result.error or "")


def test_an_interrupted_run_is_closed_and_a_running_one_refused(kit: Kit) -> None:
    from datetime import timedelta

    from stackadmin.store.models import utcnow

    kit.serve_copilot([seat(1)])
    row = kit.add()
    with kit.ctx.transaction() as session:
        session.add(SyncRun(integration_id=row.id, status="running",
                            started_at=utcnow() - timedelta(minutes=1),
                            heartbeat_at=utcnow()))
    busy = kit.sync()
    assert (busy.status, busy.error_kind) == ("failed", "busy")
    assert "is being synced already" in (busy.error or "")
    assert "if the program running it has stopped, a new sync can start from " in (
        busy.error or "")
    with kit.ctx.transaction() as session:
        for run in session.scalars(select(SyncRun)):
            run.heartbeat_at = run.started_at = utcnow() - timedelta(hours=2)
    assert kit.sync().ok
    runs = history.runs(kit.ctx, row.id)
    assert [(r.status, r.error_kind) for r in runs] == [("ok", None),
                                                        ("failed", "interrupted")]


def test_the_vendor_seat_counts_are_kept_per_integration(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    kit.sync()
    report = utilization.compute(kit.ctx)
    assert (report.tools[0].vendor_seats_purchased,
            report.tools[0].vendor_seats_consumed) == (12, 12)


def test_two_integrations_of_one_tool_deprovision_only_what_neither_lists(kit: Kit) -> None:
    kit.serve_github([member(1), member(2)])
    kit.add("github", name="org one", tool="GitHub")
    kit.sync("org one")
    kit.vendor.link_pages(MEMBERS.replace("acme", "beta"), [member(2), member(3)],
                          per_page=2, query={"role": "member"})
    kit.vendor.link_pages(MEMBERS.replace("acme", "beta"), [], per_page=2,
                          query={"role": "admin"})
    kit.vendor.link_pages("/orgs/beta/invitations", [], per_page=2)
    kit.add("github", name="org two", tool="GitHub", org="beta")
    assert kit.sync("org two").added == 1  # user2 is already the tool's account
    kit.serve_github([member(1)])  # user2 leaves org one, still in org two
    left = kit.sync("org one", force=True)
    assert left.deprovisioned == 0
    assert accounts(kit)["user2@example.com"][0] == "active"


def test_the_adoption_snapshot_is_refreshed_after_a_sync(kit: Kit) -> None:
    from stackadmin.store.models import AdoptionSnapshot

    kit.serve_copilot([seat(1), seat(2)])
    kit.add()
    kit.sync()
    with kit.ctx.read() as session:
        held = session.scalar(select(AdoptionSnapshot.seats_held))
    assert held == 2


def test_a_sync_that_changes_nothing_leaves_the_snapshot_alone(
        kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    from stackadmin.services.running import adoption

    taken: list[int] = []
    real = adoption.take_snapshot
    monkeypatch.setattr(adoption, "take_snapshot",
                        lambda ctx, *a, **kw: (taken.append(1), real(ctx, *a, **kw))[1])
    kit.serve_copilot([seat(1), seat(2)])
    kit.add()
    assert kit.sync().added == 2 and taken == [1]
    assert kit.sync().unchanged == 2 and taken == [1]  # the figures are what they were
    kit.serve_copilot([seat(1)])
    changed = kit.sync(force=True)  # past the brake: one of two seats goes
    assert changed.ok and changed.deprovisioned == 1 and taken == [1, 1]


def test_billing_endpoint_failure_is_a_failure(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.vendor.add(BILLING, Reply.error(404, "Not Found"))
    kit.add()
    result = kit.sync()
    assert (result.status, result.error_kind) == ("failed", "not_found")
    assert "acme" in (result.error or "")


def test_the_seat_counts_of_two_organisations_feeding_one_tool_add_up(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    beta = body("github_copilot_billing.json")
    beta["seat_breakdown"]["total"] = 5
    kit.vendor.add(BILLING.replace("acme", "beta"), beta)
    kit.vendor.link_pages(SEATS.replace("acme", "beta"), [seat(2)], per_page=3,
                          wrap=lambda page: {"total_seats": 1, "seats": page})
    kit.add()
    kit.add(name="Copilot beta", org="beta")
    # The same organisation read with a second (test) token: its seats are not billed twice.
    kit.add(name="Copilot acme test")
    for name in ("Copilot acme", "Copilot beta", "Copilot acme test"):
        assert kit.sync(name).ok
    figures = utilization.compute(kit.ctx).tools[0]
    assert (figures.vendor_seats_purchased, figures.vendor_seats_consumed) == (17, 17)


def test_a_vendors_control_characters_are_dropped_the_same_on_both_engines(kit: Kit) -> None:
    """A vendor's name with a NUL ended the sync on PostgreSQL as an internal error (the
    driver refuses NUL) while SQLite stored it, terminal escapes included; the host keeps
    one line of printable text on both."""
    first, second = seat(1), seat(2)
    first["assignee"]["name"] = "Ada\x00 Love\x1b]0;owned\x07lace\nLondon"
    first["assignee"]["login"] = "\x1b[2Jada"
    kit.vendor.add(BILLING, {**body("github_copilot_billing.json"), "plan_type": "busi\x00ness"})
    kit.vendor.link_pages(SEATS, [first, second], per_page=3,
                          wrap=lambda page: {"total_seats": 2, "seats": page})
    kit.add()
    result = kit.sync()
    assert result.ok and result.added == 2, result.error
    with kit.ctx.read() as session:
        stored = session.execute(select(Account.display_name, Account.username).where(
            Account.email == "user1@example.com")).one()
    assert tuple(stored) == ("Ada Love]0;ownedlace London", "[2Jada")
    assert utilization.compute(kit.ctx).tools[0].vendor_seats_purchased == 12
    assert kit.sync().unchanged == 2  # the same vendor words: nothing to change next time


@pytest.mark.parametrize("total", [3 * 10**9, 10**20])
def test_a_seat_count_no_column_holds_fails_the_sync_in_words(kit: Kit, total: int) -> None:
    """3e9 seats: PostgreSQL's INTEGER refused it (an internal error) where SQLite kept it;
    1e20 overflowed SQLite too. A count past what both store is the vendor's error."""
    billing = body("github_copilot_billing.json")
    billing["seat_breakdown"]["total"] = total
    kit.vendor.add(BILLING, billing)
    kit.vendor.link_pages(SEATS, [seat(1)], per_page=3,
                          wrap=lambda page: {"total_seats": 1, "seats": page})
    kit.add()
    before = dump(kit.ctx, ("account", "vendor_seat_count"))
    result = kit.sync()
    assert result.status == "failed"
    assert result.error == (f"seat count business: purchased is {total:,}: more than "
                            "stackadmin can store (2,147,483,647 at most)")
    assert dump(kit.ctx, ("account", "vendor_seat_count")) == before
