"""Hostile input at the doors, seen from the terminal: values out of bounds, control
characters, devices and huge files, huge headers. Each is refused in one line (row and
column named), changes nothing, and nothing a terminal would act on is ever printed."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from stackadmin.domain import limits
from stackadmin.domain.vocab import AuditSource
from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.services.demo import load_demo
from stackadmin.services.inventory import accounts, people, rates, terms, tools
from stackadmin.services.inventory import settings as app_settings
from stackadmin.services.spreadsheets import importer
from stackadmin.store.models import Account, AuditEvent, Person, SubscriptionTerm, Tool
from tests.reliability.inputs import Ran, read_csv, run_cli, run_process, write_csv

ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J\x1b[H"


def _one_line_refusal(ran: Ran) -> str:
    assert ran.code == 1, (ran.code, ran.out, ran.err)
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stackadmin: error: "), ran.err
    assert "Traceback" not in ran.err and "internal error" not in ran.err
    return lines[0]


@pytest.fixture
def demo_db(db_url: str) -> Iterator[str]:
    ctx = open_context(db_url)
    try:
        load_demo(ctx, "small")
    finally:
        ctx.close()
    yield db_url


# -- values out of bounds: refused at the door, in one line ---------------------------------


def test_values_that_broke_every_report_are_refused_at_the_command_line(demo_db: str) -> None:
    rate = run_process(demo_db, "rates", "set", "EUR", "1e22")
    assert "the rate must be between 0.000001 and 1,000,000" in _one_line_refusal(rate)
    for args, said in (
            (["reminders", "--as-of", "9999-12-31"], "must be between 1900 and 2200"),
            (["snooze", "Slack", "--days", "99999999999"], "must be at most 3,650"),
            (["reminders", "--within", "10000000"], "must be at most 36,600"),
            (["rightsizing", "99999999999"], "must be at most 2,147,483,647"),
            (["exempt", "--account-id", "-1", "--reason", "x"], "must be at least 1")):
        ran = run_cli(demo_db, *args)
        assert ran.code == 2 and said in ran.err, (args, ran.err)  # a usage error
    for report in (["utilization"], ["unused"], ["reminders", "--as-of", "2200-12-31",
                                                  "--within", "36600"]):
        assert run_cli(demo_db, *report).code == 0


def test_settings_are_bounded_too(demo_db: str) -> None:
    for key, value, said in (("default_inactivity_days", "800000", "must be at most 3,650"),
                             ("headroom_pct", "501", "outside 0 to 500"),
                             ("reminder_leads", "731", "outside 0 to 730")):
        ran = run_cli(demo_db, "settings", "set", key, value)
        assert said in _one_line_refusal(ran), ran.err


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_import_refuses_what_no_report_could_read_and_the_dry_run_agrees(
        demo_db: str, tmp_path: Path, dry_run: bool) -> None:
    path = write_csv(tmp_path / "terms.csv", (
        "tool", "unit_price", "currency", "seats", "renewal_date", "notice_days"), [
        ["Huge price", "100000000000000000000000000000", "USD", "1", "", ""],
        ["Huge seats", "1", "USD", "100000000000000000000", "", ""],
        ["Three billion seats", "1", "USD", "3000000000", "", ""],
        ["Far renewal", "1", "USD", "1", "9999-12-31", "800000"],
    ])
    ran = run_cli(demo_db, "import", "subscriptions", str(path), *(["--dry-run"] * dry_run))
    assert ran.code == 1
    problems = ran.err.splitlines()[:-1]
    assert problems == [
        "terms.csv: row 2, column unit_price: 100000000000000000000000000000 is more than "
        "the largest amount stackadmin takes (10000000000000.00 USD) (got "
        "'100000000000000000000000000000')",
        "terms.csv: row 3, column seats: must be at most 10,000,000 (got "
        "'100000000000000000000')",
        "terms.csv: row 4, column seats: must be at most 10,000,000 (got '3000000000')",
        "terms.csv: row 5, column notice_days: must be at most 3,650 (got '800000')",
        "terms.csv: row 5, column renewal_date: must be between 1900 and 2200 (got "
        "'9999-12-31')",
    ]
    assert ran.err.splitlines()[-1] == ("stackadmin: error: terms.csv: 5 problems; nothing "
                                        "was imported")


def test_a_timestamp_past_the_year_9999_in_utc_is_a_row_problem(demo_db: str,
                                                                  tmp_path: Path) -> None:
    path = write_csv(tmp_path / "seats.csv", ("email", "last_active"),
                     [["a@example.com", "9999-12-31T23:59:59-14:00"],
                      ["b@example.com", "1900-01-01T03:00:00+05:00"]])
    ran = run_cli(demo_db, "import", "accounts", "--tool", "Slack", str(path))
    assert ran.err.splitlines()[:2] == [
        "seats.csv: row 2, column last_active: must be between 1900 and 2200 (got "
        "'9999-12-31T23:59:59-14:00')",
        "seats.csv: row 3, column last_active: must be between 1900 and 2200 (got "
        "'1900-01-01T03:00:00+05:00')"]  # 1899-12-31 22:00 in UTC


def test_the_forms_services_hold_the_same_bounds(ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Slack")
    cases = [
        (lambda: terms.create_term(ctx, tool_id=tool.id, currency="USD", seats=3_000_000_000),
         "seats must be at most 10,000,000"),
        (lambda: terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="1e29"),
         "is more than the largest amount stackadmin takes"),
        (lambda: terms.create_term(ctx, tool_id=tool.id, currency="USD", notice_days=800000),
         "notice period must be at most 3,650"),
        (lambda: terms.create_term(ctx, tool_id=tool.id, currency="USD",
                                   renewal_date=date(9999, 12, 31)),
         "renewal date must be between 1900 and 2200"),
        (lambda: terms.create_term(ctx, tool_id=tool.id, currency="USD", billing_period=121),
         "billing period (months) must be at most 120"),
        (lambda: tools.create_tool(ctx, name="Zoom", inactivity_days=10**9),
         "inactivity threshold must be at most 3,650"),
        (lambda: tools.create_tool(ctx, name="Zoom", reminder_leads=",".join(
            str(n) for n in range(700, 730))), "give at most 20 lead times, got 30"),
        (lambda: accounts.create_account(
            ctx, tool_id=tool.id, email="a@example.com",
            last_activity=datetime(9999, 12, 31, 23, 59, 59,
                                   tzinfo=timezone(timedelta(hours=-14)))),
         "last activity must be between 1900 and 2200"),
        (lambda: rates.set_rate(ctx, "EUR", "1e22"), "must be between 0.000001 and 1,000,000"),
        (lambda: rates.set_rate(ctx, "EUR", "1.0000000000000001"),
         "more than 15 significant digits"),
        (lambda: people.create_person(ctx, email="x@example.com", end_date=date(1, 1, 1)),
         "end date must be between 1900 and 2200"),
    ]
    for call, said in cases:
        with pytest.raises(ValidationError, match=re.escape(said)):
            call()
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(SubscriptionTerm)) == 0
        assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_the_largest_values_accepted_are_read_by_every_report(ctx: ServiceContext,
                                                              db_url: str,
                                                              tmp_path: Path) -> None:
    """Every number at its bound at once, in the currencies with the most decimals and
    the fewest, converted at the largest rate: the reports add them up without overflow."""
    app_settings.set_setting(ctx, "base_currency", "CLF")
    for currency in ("CLF", "JPY", "KWD"):
        tool = tools.create_tool(ctx, name=f"Big {currency}",
                                 inactivity_days=limits.MAX_INACTIVITY_DAYS)
        for n in range(3):
            terms.create_term(
                ctx, tool_id=tool.id, currency=currency, plan=f"p{n}",
                unit_price=Decimal(limits.MAX_MINOR_UNITS).scaleb(
                    -{"CLF": 4, "JPY": 0, "KWD": 3}[currency]),
                seats=limits.MAX_SEATS, billing_period="monthly", term_start=limits.MIN_DATE,
                renewal_date=limits.MAX_DATE, notice_days=limits.MAX_NOTICE_DAYS,
                internal_lead_days=limits.MAX_NOTICE_DAYS)
        if currency != "CLF":
            rates.set_rate(ctx, currency, limits.MAX_RATE, limits.MIN_DATE)
    for args in (["utilization", "--json"], ["utilization"], ["reminders", "--as-of",
                                                                "2200-12-31", "--json"],
                 ["export", "finance", str(tmp_path / "f.csv"), "--as-of", "2200-12-30"],
                 ["export", "calendar", str(tmp_path / "c.ics"), "--as-of", "1900-01-01"]):
        ran = run_cli(db_url, *args)
        assert ran.code == 0, (args, ran.err)
    finance = read_csv(tmp_path / "f.csv")
    header = finance[0]
    jpy = next(r for r in finance if r[0] == "Big JPY")
    # 10^15 yen x 10^7 seats x 12 months, exactly.
    assert jpy[header.index("annual_cost")] == "120000000000000000000000"
    assert jpy[header.index("annual_cost_base")] == \
        "120000000000000000000000000000.0000"  # x 10^6 into CLF, four decimals


def test_a_nul_byte_and_a_half_character_are_refused_alike_on_every_engine(
        ctx: ServiceContext) -> None:
    """PostgreSQL refuses NUL where SQLite stores it; neither sees it now."""
    for value, said in (("A\x00B", "contains a NUL character, U+0000 (NUL)"),
                        ("half \ud800", "is not valid text")):
        with pytest.raises(ValidationError, match=re.escape(said)):
            people.create_person(ctx, email="nul@example.com", name=value)
        with pytest.raises(ValidationError, match=re.escape(said)):
            tools.create_tool(ctx, name="T", notes=value)
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


# -- control characters: refused at the door, never printed -----------------------------


def test_terminal_escapes_are_refused_by_the_import_in_words(demo_db: str,
                                                              tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", ("email", "name"),
                     [["evil@example.com", f"Mallory{OSC_TITLE}"],
                      ["csi@example.com", "C1\x9b31m"]])
    ran = run_process(demo_db, "import", "people", str(path))
    assert ran.code == 1
    assert ran.err.splitlines()[:2] == [
        "people.csv: row 2, column name: contains a control character, U+001B (ESC), at "
        "position 8: stackadmin keeps only printable text (remove it) (got "
        "'Mallory]0;pwned')",
        "people.csv: row 3, column name: contains a control character, U+009B (CSI), at "
        "position 3: stackadmin keeps only printable text (remove it) (got 'C131m')"]
    assert not ESCAPES.search(ran.err.replace("\n", ""))


def test_terminal_escapes_are_refused_by_the_forms(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError, match=re.escape(
            "name contains a control character, U+001B (ESC)")):
        people.create_person(ctx, email="evil@example.com", name=f"Mallory{CLEAR}")
    with pytest.raises(ValidationError, match="tool name contains a control character"):
        tools.create_tool(ctx, name=f"Zoom{OSC_TITLE}")
    # Multi-line notes keep their line breaks and tabs; the escapes are still refused.
    tool = tools.create_tool(ctx, name="Zoom", notes="line one\n\tline two")
    assert tool.notes == "line one\n\tline two"
    with pytest.raises(ValidationError, match="notes contains a control character"):
        tools.update_tool(ctx, tool.id, notes=f"x{CLEAR}")


def test_names_stored_before_the_rules_never_reach_the_terminal(demo_db: str) -> None:
    """A database written by an older stackadmin may hold them: every table and every
    error on the terminal comes without them; JSON keeps the data, escaped."""
    ctx = open_context(demo_db)
    try:
        with ctx.transaction() as session:
            session.execute(update(Person).values(name=Person.name + OSC_TITLE + CLEAR))
            session.execute(update(Tool).where(Tool.name == "Slack")
                            .values(name=f"Slack{OSC_TITLE}\x9b2J"))
    finally:
        ctx.close()
    for args in (["utilization"], ["reconcile"], ["unused"], ["reminders", "--within", "400"],
                 ["unused", "--tool", f"Slack{OSC_TITLE}\x9b2J"]):
        ran = run_process(demo_db, *args)
        assert ran.code == 0 and ran.out, (args, ran.err)
        assert not ESCAPES.search(ran.out.replace("\n", "")), args
        assert not ESCAPES.search(ran.err.replace("\n", "")), args
    assert "Slack]0;pwned2J" in run_process(demo_db, "utilization").out
    missing = run_process(demo_db, "unused", "--tool", f"No such{CLEAR}")
    assert _one_line_refusal(missing) == ("stackadmin: error: there is no tool named "
                                          "'No such[2J[H'")
    data = run_process(demo_db, "reconcile", "--json")
    assert not ESCAPES.search(data.out.replace("\n", ""))
    names = [h["person"] for h in json.loads(data.out)["departed_holders"]]
    assert names and all(n.endswith(OSC_TITLE + CLEAR) for n in names)
    tools_json = json.loads(run_process(demo_db, "utilization", "--json").out)
    assert f"Slack{OSC_TITLE}\x9b2J" in {t["tool"] for t in tools_json}


def test_an_error_quoting_a_line_break_stays_on_one_line(demo_db: str) -> None:
    ran = run_process(demo_db, "unused", "--tool", "two\nlines")
    assert _one_line_refusal(ran) == "stackadmin: error: there is no tool named 'two\\nlines'"


# -- what is read: regular files, not too large; headers quoted short --------------------


def test_a_device_a_pipe_or_a_folder_is_refused_before_it_is_read(demo_db: str,
                                                                   tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for source, said in (("/dev/zero", "is not a regular file (a device, a pipe or a socket)"),
                         (str(fifo), "is not a regular file (a device, a pipe or a socket)"),
                         (str(tmp_path), "is a folder")):
        ran = run_process(demo_db, "import", "people", source, timeout=30)
        assert said in _one_line_refusal(ran)


def test_a_file_over_the_import_limit_is_refused_in_words(demo_db: str,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    rows = (f"someone{n:06d}@example.com,Some One\n" for n in range(2 * 1024 * 1024 // 36))
    path.write_text("email,name\n" + "".join(rows))
    ran = run_process(demo_db, "import", "people", str(path),
                      env={"STACKADMIN_MAX_IMPORT_MB": "1"})
    assert _one_line_refusal(ran) == (
        f"stackadmin: error: {path} is larger than 1 MB, the most an import reads (set "
        "STACKADMIN_MAX_IMPORT_MB to allow more)")
    assert run_process(demo_db, "import", "people", str(path), "--dry-run").code == 0


def test_the_default_limit_is_200_megabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    from stackadmin.services.spreadsheets import files

    monkeypatch.delenv(files.MAX_IMPORT_MB_ENV, raising=False)
    assert files.max_import_bytes() == 200 * 1024 * 1024
    monkeypatch.setenv(files.MAX_IMPORT_MB_ENV, "lots")
    with pytest.raises(Exception, match="is not a number of megabytes"):
        files.max_import_bytes()


def test_a_megabyte_header_is_named_not_repeated(demo_db: str, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    huge = "H" * (1024 * 1024)
    path.write_text(f"email,{huge}\nsomeone@example.com,x\n")
    ran = run_process(demo_db, "import", "people", str(path))
    assert ran.code == 1
    assert len(ran.err) < 1500, len(ran.err)
    assert f"column {'H' * 80}… (1,048,576 characters)" in ran.err
    # One argument holds at most 128 KiB: a 100,000-character column name is cut short too.
    mapped = run_process(demo_db, "import", "people", str(path), "--map",
                         f"{'Y' * 100_000}=name")
    assert len(_one_line_refusal(mapped)) < 1500


def test_a_map_without_an_equals_sign_is_a_usage_error(demo_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", ("email",), [["a@example.com"]])
    ran = run_process(demo_db, "import", "people", str(path), "--map", "noequals")
    assert ran.code == 2
    assert ran.err.splitlines()[-1] == (
        "stackadmin import people: error: argument --map: expects COLUMN=FIELD (or COLUMN= "
        "to ignore it), got 'noequals'")


# -- exports come back: the finance export, the apostrophe --------------------------------


def _audit_count(db: str) -> int:
    ctx = open_context(db)
    try:
        with ctx.read() as session:
            return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    finally:
        ctx.close()


def test_the_finance_export_imports_back_into_its_database_changing_nothing(
        demo_db: str, tmp_path: Path) -> None:
    """The demo has internal leads and auto-renewing terms past their renewal date: the
    cancel-by column is not folded into the notice, nor the rolled date written back."""
    path = tmp_path / "finance.csv"
    assert run_cli(demo_db, "export", "finance", str(path)).code == 0
    events = _audit_count(demo_db)
    ran = run_cli(demo_db, "import", "subscriptions", str(path))
    assert ran.code == 0 and ": 0 added, 0 updated, 25 unchanged" in ran.out, ran.out
    assert _audit_count(demo_db) == events
    again = tmp_path / "again.csv"
    assert run_cli(demo_db, "export", "finance", str(again)).code == 0
    assert read_csv(again) == read_csv(path)


def test_the_finance_export_comes_back_into_an_empty_database(demo_db: str, tmp_path: Path,
                                                              db_kind: str) -> None:
    if db_kind != "sqlite":
        pytest.skip("the round trips suite covers PostgreSQL")
    path = tmp_path / "finance.csv"
    assert run_cli(demo_db, "export", "finance", str(path), "--as-of", "2026-11-25").code == 0
    empty = str(tmp_path / "empty.sqlite")
    source = open_context(demo_db)
    target = open_context(empty, source=AuditSource.CLI)
    try:
        for row in rates.list_rates(source):
            rates.set_rate(target, row.currency, row.rate, row.as_of)
    finally:
        source.close()
        target.close()
    assert run_cli(empty, "import", "subscriptions", str(path)).code == 0
    again = tmp_path / "again.csv"
    assert run_cli(empty, "export", "finance", str(again), "--as-of", "2026-11-25").code == 0
    header = read_csv(path)[0]
    costs = [header.index(c) for c in ("tool", "plan", "unit_price", "annual_cost_base",
                                       "term_start", "renewal_date", "cancel_by")]
    assert [[r[i] for i in costs] for r in read_csv(again)] == \
        [[r[i] for i in costs] for r in read_csv(path)]


def test_the_exports_apostrophe_comes_off_every_field_it_was_put_on(
        ctx: ServiceContext, db_url: str, tmp_path: Path) -> None:
    for email, name in (("-x@example.com", "=SUM(A1)"), ("+y@example.com", "-5 degrees"),
                        ("=z@example.com", "@here"), ("'q@example.com", "'s-Hertogenbosch"),
                        ("w@example.com", "'=quoted")):
        people.create_person(ctx, email=email, name=name, department="+ops",
                             title="''double", cost_center="@cc")
    path = tmp_path / "people.csv"
    assert run_cli(db_url, "export", "people", str(path)).code == 0
    rows = {r[0]: r for r in read_csv(path)[1:]}
    assert rows["''q@example.com"][1] == "''s-Hertogenbosch"
    assert rows["'-x@example.com"][1:5] == ["'=SUM(A1)", "'+ops", "'@cc", "'''double"]
    assert rows["w@example.com"][1] == "''=quoted"
    ran = run_cli(db_url, "import", "people", str(path))
    assert ran.code == 0 and ": 0 added, 0 updated, 5 unchanged" in ran.out, ran.out + ran.err
    with ctx.read() as session:
        stored = {p.email: (p.name, p.department, p.title, p.cost_center)
                  for p in session.scalars(select(Person))}
    assert stored["-x@example.com"] == ("=SUM(A1)", "+ops", "''double", "@cc")
    assert stored["'q@example.com"][0] == "'s-Hertogenbosch"
    assert stored["w@example.com"][0] == "'=quoted"
    assert len(stored) == 5


def test_the_seats_export_imports_back_unchanged(demo_db: str, tmp_path: Path) -> None:
    """The person column is the matched person's name, else the account's own name: an
    unmatched account (a bot) keeps its display name."""
    path = tmp_path / "seats.csv"
    assert run_cli(demo_db, "export", "seats", str(path)).code == 0
    events = _audit_count(demo_db)
    ran = run_cli(demo_db, "import", "accounts", str(path))
    assert ran.code == 0 and ": 0 added, 0 updated" in ran.out, ran.out
    assert _audit_count(demo_db) == events


def test_activity_recorded_with_microseconds_reads_back_unchanged(ctx: ServiceContext,
                                                                  db_url: str,
                                                                  tmp_path: Path) -> None:
    tool = tools.create_tool(ctx, name="Slack")
    terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="1", seats=1)
    moment = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)
    accounts.create_account(ctx, tool_id=tool.id, email="a@example.com", last_activity=moment)
    path = tmp_path / "seats.csv"
    assert run_cli(db_url, "export", "seats", str(path)).code == 0
    ran = run_cli(db_url, "import", "accounts", str(path))
    assert ": 0 added, 0 updated, 1 unchanged" in ran.out, ran.out + ran.err
    assert accounts.list_accounts(ctx)[0].last_activity == moment


def test_a_plan_read_in_the_window_refuses_the_same_values(ctx: ServiceContext,
                                                           tmp_path: Path) -> None:
    """The import wizard validates through the same importer: same bounds, same words."""
    path = write_csv(tmp_path / "terms.csv", ("tool", "unit_price", "currency", "seats"),
                     [["Huge", "1", "USD", "3000000000"]])
    plan = importer.validate(ctx, importer.read_file(path, "subscriptions"))
    assert [str(p) for p in plan.problems] == [
        "row 2, column seats: must be at most 10,000,000 (got '3000000000')"]
