"""The import service as the GUI wizard uses it: read, map, preview, validate, commit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stackadmin.errors import UserError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import accounts, people, terms, tools
from stackadmin.services.spreadsheets import importer
from stackadmin.store.models import Account, AuditEvent

SUBS = ("Tool Name;Vendor;Renewal Date;Cost;Seats purchased;Currency;Billing;Term Start;"
        "Approver\r\n"
        "Slack;Salesforce;2027-01-01;8,75;25;EUR;monthly;2026-01-01;Grace\r\n"
        "Figma;Figma;2027-03-01;1.200,00;;EUR;annual;2026-03-01;Grace\r\n")


def write(tmp_path: Path, name: str, text: str, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def events(ctx: ServiceContext) -> int:
    with ctx.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_the_wizard_flow_read_map_preview_remap_validate_commit(
        ctx: ServiceContext, tmp_path: Path) -> None:
    file = importer.read_file(write(tmp_path, "s.csv", SUBS, bom=True), "subscriptions")
    assert file.table.delimiter == ";" and file.table.had_bom
    assert dict(importer.header_fields(file)) == {
        "Tool Name": "tool", "Vendor": "vendor", "Renewal Date": "renewal_date",
        "Cost": "unit_price", "Seats purchased": "seats", "Currency": "currency",
        "Billing": "billing_period", "Term Start": "term_start", "Approver": None}
    assert file.preview(1) == [(2, ("Slack", "Salesforce", "2027-01-01", "8,75", "25", "EUR",
                                    "monthly", "2026-01-01", "Grace"))]
    options = importer.ImportOptions(decimal_comma=True)
    first = importer.validate(ctx, file, options)
    assert [str(p) for p in first.problems] == [
        "row 1, column Approver: not a column stackadmin knows: map it with --map "
        "'Approver=FIELD' or ignore it with --map 'Approver=' (fields: "
        + ", ".join(f.name for f in importer.fields("subscriptions")) + ")"]
    mapped = importer.remap(file, {"approver": None})
    plan = importer.validate(ctx, mapped, options)
    assert plan.ok and plan.added == 2 and events(ctx) == 0  # validating writes nothing
    seen: list[tuple[int, int]] = []
    done = importer.commit(ctx, mapped, options, progress=lambda d, t: seen.append((d, t)))
    assert done.committed and done.added == 2 and seen[-1] == (2, 2)
    rows = {t.tool: t for t in terms.list_terms(ctx)}
    assert rows["Slack"].unit_price.plain() == "8.75" and rows["Slack"].seats == 25
    assert rows["Figma"].unit_price.plain() == "1200.00" and rows["Figma"].billing_months == 12
    assert [t.vendor for t in tools.list_tools(ctx)] == ["Figma", "Salesforce"]


def test_map_option_points_any_column_at_a_field(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "App\tPrice per licence\tCcy\tWhen\r\n"
                                    "Zoom\t13.33\tUSD\t2027-02-01\r\n")
    plan = importer.import_file(ctx, path, "subscriptions", overrides={
        "App": "tool", "Price per licence": "unit_price", "When": "renewal_date"})
    assert plan.ok and plan.committed, [str(p) for p in plan.problems]
    with pytest.raises(UserError, match="'colour' is not a field of subscriptions"):
        importer.import_file(ctx, path, "subscriptions", overrides={"App": "colour"})
    with pytest.raises(UserError, match="the file has no column 'Nope'"):
        importer.import_file(ctx, path, "subscriptions", overrides={"Nope": "tool"})


def test_date_format_reads_other_dates(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "tool,unit_price,currency,term_start,renewal_date\r\n"
                                    "Zoom,10,USD,03/04/2026,03/04/2027\r\n")
    assert not importer.import_file(ctx, path, "subscriptions", dry_run=True).ok
    plan = importer.import_file(ctx, path, "subscriptions",
                                  options=importer.ImportOptions(date_format="%d/%m/%Y"))
    assert plan.ok
    term = terms.list_terms(ctx)[0]
    assert (term.term_start.isoformat(), term.renewal_date.isoformat()) == (  # type: ignore[union-attr]
        "2026-04-03", "2027-04-03")


def test_reimport_changes_nothing_and_a_change_is_one_update_with_fields(
        ctx: ServiceContext, tmp_path: Path) -> None:
    text = ("tool,plan,unit_price,seats,currency,term_start,renewal_date,owner_email\r\n"
            "Slack,Business,$8.75,25,USD,2026-01-01,2027-01-01,ada@example.com\r\n")
    path = write(tmp_path, "s.csv", text)
    first = importer.import_file(ctx, path, "subscriptions")
    assert first.added == 1
    assert people.find_by_email(ctx, "ada@example.com").name == "ada"  # the owner was added
    count = events(ctx)
    again = importer.import_file(ctx, path, "subscriptions")
    assert again.unchanged == 1 and not again.changes and events(ctx) == count
    write(tmp_path, "s.csv", text.replace(",25,", ",30,"))
    dry = importer.import_file(ctx, path, "subscriptions", dry_run=True)
    assert [str(c) for c in dry.changes] == [
        "update term Slack Business from 2026-01-01: seats (row 2)"]
    assert events(ctx) == count
    importer.import_file(ctx, path, "subscriptions")
    latest = audit.list_events(ctx, limit=2)
    assert latest[0].action == "import" and latest[0].entity == "subscriptions"
    assert "0 added, 1 updated, 0 unchanged" in latest[0].summary
    assert latest[1].entity == "subscription_term" and latest[1].changes == {"seats": [25, 30]}
    assert latest[0].source == "cli"


def test_empty_cells_keep_a_known_terms_stored_values(ctx: ServiceContext,
                                                     tmp_path: Path) -> None:
    """A spreadsheet re-imported with cells left empty changes nothing of the term it
    names: an empty pricing is not "per seat", an empty auto-renew not "yes", an empty
    notice not 0 days, and an empty seat count does not make a per-seat term cost 0. A new
    term takes the defaults, and a filled cell still changes what it says."""
    head = ("tool,plan,pricing,unit_price,currency,seats,billing_period,term_start,"
            "renewal_date,auto_renew,notice_days,cost_center,notes\r\n")
    path = write(tmp_path, "s.csv", head + "Notion,Team,flat,1000,USD,10,quarterly,2026-01-01,"
                                           "2027-01-01,no,45,CC-7,signed by Ada\r\n")
    importer.import_file(ctx, path, "subscriptions")
    [before] = terms.list_terms(ctx)
    count = events(ctx)
    write(tmp_path, "s.csv", head + "Notion,Team,,1000,USD,,,2026-01-01,,,,,\r\n"
                                    "Loom,Business,,12,USD,,,2026-02-01,,,,,\r\n")
    dry = importer.import_file(ctx, path, "subscriptions", dry_run=True)
    assert [str(c) for c in dry.changes] == ["add tool Loom (row 3)",
                                             "add term Loom Business from 2026-02-01 (row 3)"]
    plan = importer.import_file(ctx, path, "subscriptions")
    assert (plan.added, plan.updated, plan.unchanged) == (1, 0, 1)
    kept, new = sorted(terms.list_terms(ctx), key=lambda t: t.tool)[::-1]
    assert kept == before
    assert (new.pricing, new.auto_renew, new.notice_days, new.billing_months, new.seats) == (
        "per_seat", True, 0, 12, None)
    latest = audit.list_events(ctx, limit=events(ctx) - count)
    assert "1 added, 0 updated, 1 unchanged" in latest[0].summary
    assert not [e for e in latest if e.entity == "subscription_term"]
    write(tmp_path, "s.csv", head + "Notion,Team,,1000,USD,12,,2026-01-01,,,,,\r\n")
    importer.import_file(ctx, path, "subscriptions")
    assert [(t.seats, t.pricing, t.notice_days) for t in terms.list_terms(ctx)
            if t.tool == "Notion"] == [(12, "flat", 45)]


def test_people_upsert_by_email_whatever_its_case(ctx: ServiceContext, tmp_path: Path) -> None:
    people.create_person(ctx, email="ada@example.com", name="Ada", department="R&D")
    path = write(tmp_path, "p.csv", "E-mail,Full name,Dept,Status,Last day\r\n"
                                    "ADA@Example.com,Ada Lovelace,R&D,departed,2026-10-31\r\n"
                                    "bob@example.com,,Sales,,\r\n")
    plan = importer.import_file(ctx, path, "people")
    assert (plan.added, plan.updated) == (1, 1)
    ada = people.find_by_email(ctx, "ada@example.com")
    assert (ada.name, ada.status, str(ada.end_date)) == ("Ada Lovelace", "departed",
                                                         "2026-10-31")
    bob = people.find_by_email(ctx, "bob@example.com")
    assert (bob.name, bob.status, bob.department) == ("bob", "active", "Sales")


def test_blank_status_and_end_date_cells_keep_a_departed_person_departed(
        ctx: ServiceContext, tmp_path: Path) -> None:
    """The spreadsheet's people list rarely fills every cell: a blank status must not bring
    a departed person back (their seats would stop showing as reclaimable)."""
    ada = people.create_person(ctx, email="ada@example.com", name="Ada", department="R&D")
    people.mark_departed(ctx, ada.id, date(2026, 10, 31))
    path = write(tmp_path, "p.csv", "email,name,department,status,end_date\r\n"
                                    "ada@example.com,Ada Lovelace,R&D,,\r\n")
    plan = importer.import_file(ctx, path, "people")
    assert plan.updated == 1 and [c.fields for c in plan.changes] == [("name",)]
    ada_now = people.find_by_email(ctx, "ada@example.com")
    assert (ada_now.name, ada_now.status, ada_now.end_date) == (
        "Ada Lovelace", "departed", date(2026, 10, 31))
    write(tmp_path, "p.csv", "email,status\r\nada@example.com,active\r\n")
    importer.import_file(ctx, path, "people")  # said in words, it does change
    assert people.find_by_email(ctx, "ada@example.com").status == "active"


def test_a_rehire_made_active_without_an_end_date_loses_the_old_one(
        ctx: ServiceContext, tmp_path: Path) -> None:
    """The same email back as active, its end-date cell blank: the old last day goes, or the
    rehire would still count as departed and their new seats be flagged "departed"."""
    ada = people.create_person(ctx, email="ada@example.com", name="Ada", department="R&D")
    people.mark_departed(ctx, ada.id, date(2026, 10, 31))
    path = write(tmp_path, "p.csv", "email,name,department,status,end_date\r\n"
                                    "ADA@example.com,Ada Lovelace,Sales,active,\r\n")
    plan = importer.import_file(ctx, path, "people")
    assert plan.updated == 1
    assert set(plan.changes[0].fields) == {"name", "department", "status", "end_date"}
    ada_now = people.find_by_email(ctx, "ada@example.com")
    assert (ada_now.status, ada_now.end_date, ada_now.department) == ("active", None, "Sales")
    # A leaver given a new last day keeps the one given.
    people.mark_departed(ctx, ada.id, date(2026, 10, 31))
    write(tmp_path, "p.csv", "email,status,end_date\r\nada@example.com,active,2027-01-31\r\n")
    importer.import_file(ctx, path, "people")
    ada_now = people.find_by_email(ctx, "ada@example.com")
    assert (ada_now.status, ada_now.end_date) == ("active", date(2027, 1, 31))


def test_people_added_after_their_accounts_are_matched_to_them(
        ctx: ServiceContext, tmp_path: Path) -> None:
    """Accounts imported before the people list: a person added later (a CSV import, a form)
    holds the accounts with their email, so that their leaving flags those seats."""
    slack = tools.create_tool(ctx, name="Slack")
    figma = tools.create_tool(ctx, name="Figma")
    accounts.create_account(ctx, tool_id=slack.id, email="Dave@Example.com", status="active")
    accounts.create_account(ctx, tool_id=figma.id, email="erin@example.com", status="active")
    before = events(ctx)
    path = write(tmp_path, "p.csv", "email,name,status,end_date\r\n"
                                    "DAVE@example.com,Dave,departed,2026-10-31\r\n")
    importer.import_file(ctx, path, "people")
    dave = people.find_by_email(ctx, "dave@example.com")
    held = {a.email: a.person_id for a in accounts.list_accounts(ctx)}
    assert held == {"dave@example.com": dave.id, "erin@example.com": None}
    assert events(ctx) == before + 2  # the person, and the account matched to them
    erin = people.create_person(ctx, email="Erin@example.com", name="Erin")
    assert {a.email: a.person_id for a in accounts.list_accounts(ctx)}[
        "erin@example.com"] == erin.id


def test_accounts_activity_known_and_matching(ctx: ServiceContext, tmp_path: Path) -> None:
    tool = tools.create_tool(ctx, name="Figma")
    ada = people.create_person(ctx, email="ada@example.com")
    with_column = write(tmp_path, "a.csv", "email,name,role,status,last_active,external_id\r\n"
                                           "Ada@Example.com,Ada,Admin,Active,2026-11-01,U1\r\n"
                                           "bob@example.com,Bob,,,,U2\r\n"
                                           "cy@example.com,Cy,,,unknown,U3\r\n")
    options = importer.ImportOptions(tool="figma")
    assert importer.import_file(ctx, with_column, "accounts", options=options).added == 3
    rows = {a.external_id: a for a in accounts.list_accounts(ctx, tool_id=tool.id)}
    assert (rows["U1"].person_id, rows["U1"].role, rows["U1"].activity_known,
            rows["U1"].last_activity) == (ada.id, "admin", True,
                                          datetime(2026, 11, 1, tzinfo=UTC))
    assert (rows["U2"].activity_known, rows["U2"].last_activity) == (True, None)  # never
    assert rows["U3"].activity_known is False
    # A renamed user keeps their vendor id: the email is updated, no new seat appears.
    renamed = write(tmp_path, "b.csv", "email,external_id\r\nada.l@example.com,U1\r\n")
    plan = importer.import_file(ctx, renamed, "accounts", options=options)
    assert (plan.added, plan.updated) == (0, 1)
    again = {a.external_id: a for a in accounts.list_accounts(ctx, tool_id=tool.id)}
    # No last_active column: the source reports no activity at all; the last activity
    # recorded before is kept (history, not a report of this file).
    assert (again["U1"].email, again["U1"].activity_known, again["U1"].person_id) == (
        "ada.l@example.com", False, None)
    assert again["U1"].last_activity == datetime(2026, 11, 1, tzinfo=UTC)
    # Columns the file does not have leave their fields alone.
    assert (again["U1"].display_name, again["U1"].role) == ("Ada", "admin")
    assert len(again) == 3


def test_accounts_need_a_known_tool(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "email\r\nada@example.com\r\n")
    with pytest.raises(UserError, match="there is no tool named 'Nope'"):
        importer.import_file(ctx, path, "accounts",
                               options=importer.ImportOptions(tool="Nope"))
    plan = importer.import_file(ctx, path, "accounts")
    assert [str(p) for p in plan.problems] == [
        "row 1: accounts belong to a tool: give --tool NAME, or a tool column"]


def test_cancel_rolls_the_whole_import_back(ctx: ServiceContext, tmp_path: Path) -> None:
    tools.create_tool(ctx, name="Figma")
    lines = "".join(f"user{i}@example.com,U{i}\r\n" for i in range(12_000))
    file = importer.read_file(write(tmp_path, "a.csv", "email,external_id\r\n" + lines),
                                "accounts")
    calls: list[int] = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 2  # after the first batch has been written

    with pytest.raises(importer.ImportCancelled, match="nothing was written"):
        importer.commit(ctx, file, importer.ImportOptions(tool="Figma"), cancel=cancel)
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 0
    assert events(ctx) == 1  # the tool's creation only


def test_commit_refuses_a_file_with_problems(ctx: ServiceContext, tmp_path: Path) -> None:
    file = importer.read_file(write(tmp_path, "p.csv", "email\r\nnot-an-email\r\n"), "people")
    with pytest.raises(ValidationError, match="row 2, column email: is not an email address"):
        importer.commit(ctx, file)
    assert events(ctx) == 0


def test_a_row_adding_a_second_open_term_is_warned_about_not_refused(
        ctx: ServiceContext, tmp_path: Path) -> None:
    notion = tools.create_tool(ctx, name="Notion")
    terms.create_term(ctx, tool_id=notion.id, plan="Business", currency="USD",
                      unit_price="10", seats=15, term_start=date(2026, 1, 1),
                      renewal_date=date(2027, 1, 1))
    path = write(tmp_path, "s.csv", "tool,plan,unit_price,currency,seats,term_start\r\n"
                                    "Notion,,10,USD,25,\r\n"  # no plan: a second term
                                    "Notion,Business,10,USD,16,2026-01-01\r\n"  # the same one
                                    "Miro,Team,8,USD,4,\r\n"
                                    "Miro,Guests,2,USD,9,\r\n")  # new tool, two terms
    plan = importer.import_file(ctx, path, "subscriptions", dry_run=True)
    assert plan.ok and plan.added == 3 and plan.updated == 1
    assert [(w.row, w.column) for w in plan.warnings] == [(2, "tool"), (5, "tool")]
    first, second = (str(w) for w in plan.warnings)
    assert first.startswith("row 2, column tool: adds a second open term to Notion "
                            "(in the inventory: plan 'Business', from 2026-01-01, 15 seats)")
    assert "adds a second open term to Miro (row 4: plan 'Team', 4 seats)" in second
    done = importer.import_file(ctx, path, "subscriptions")
    assert done.committed and len(done.warnings) == 2  # it goes ahead, and says so
    again = importer.import_file(ctx, path, "subscriptions", dry_run=True)
    assert again.warnings == [] and again.added == 0  # nothing is added twice


def test_one_email_with_and_without_a_vendor_id_is_two_seats_every_time(
        ctx: ServiceContext, tmp_path: Path) -> None:
    """The same email once with the vendor's id and once without: two accounts, and the
    file again (in any order) changes nothing; never a third seat, never an internal error."""
    tool = tools.create_tool(ctx, name="Kaiten")
    options = importer.ImportOptions(tool="Kaiten")
    rows = ["U9,dup@example.com,Dup One", ",dup@example.com,Dup Two"]
    first = write(tmp_path, "a.csv", "external_id,email,name\r\n" + "\r\n".join(rows) + "\r\n")
    assert importer.import_file(ctx, first, "accounts", options=options).added == 2
    swapped = write(tmp_path, "b.csv", "external_id,email,name\r\n"
                    + "\r\n".join(reversed(rows)) + "\r\n")
    for path in (first, swapped, first):
        again = importer.import_file(ctx, path, "accounts", options=options)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 2), again.problems
    assert len(accounts.list_accounts(ctx, tool_id=tool.id)) == 2


def test_a_vendor_id_matched_by_another_rows_email_is_named(ctx: ServiceContext,
                                                           tmp_path: Path) -> None:
    tools.create_tool(ctx, name="Kaiten")
    options = importer.ImportOptions(tool="Kaiten")
    seeded = write(tmp_path, "a.csv", "external_id,email\r\nU9,solo@example.com\r\n")
    assert importer.import_file(ctx, seeded, "accounts", options=options).added == 1
    clash = write(tmp_path, "b.csv",
                  "external_id,email\r\n,solo@example.com\r\nU9,other@example.com\r\n")
    plan = importer.import_file(ctx, clash, "accounts", options=options)
    assert [str(p) for p in plan.problems] == [
        "row 3, column external_id: the same account as row 2 (got 'U9')"]
    assert not plan.committed


def test_a_price_in_another_currencys_sign_or_with_extra_zeros_is_refused(
        ctx: ServiceContext, tmp_path: Path) -> None:
    """'€5' in a USD row is no 5 dollars, and '1.000' yen (a German thousand) is no ¥1."""
    path = write(tmp_path, "s.csv", "tool,unit_price,currency\r\nSlack,€5,USD\r\n"
                 "Zoom,$7,EUR\r\nLine,1.000,JPY\r\nBox,¥300,JPY\r\nMiro,£8.50,GBP\r\n")
    plan = importer.import_file(ctx, path, "subscriptions")
    assert [str(p) for p in plan.problems] == [
        "row 2, column unit_price: is in EUR (its sign), but the currency column says USD "
        "(got '€5')",
        "row 4, column unit_price: has more decimals than JPY allows (got '1.000')"]
    assert not plan.committed and not terms.list_terms(ctx)


def test_a_header_given_to_two_columns_is_named_and_nothing_is_read(
        ctx: ServiceContext, tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "tool,Price,currency,Price\r\nSlack,10.00,USD,99.00\r\n")
    plan = importer.import_file(ctx, path, "subscriptions")
    assert [str(p) for p in plan.problems] == [
        "row 1, column Price: is the header of two columns: rename one, or remove the one "
        "not wanted"]
    assert not terms.list_terms(ctx)


def test_empty_columns_excel_leaves_after_the_last_header_are_read_past(
        ctx: ServiceContext, tmp_path: Path) -> None:
    # Once a cell right of the data was formatted or cleared, Excel and LibreOffice save
    # "a,b,," on every line: columns with no header and no value are no part of the file.
    path = write(tmp_path, "p.csv", "email;name;department;;\r\nada@x.com;Ada;R&D;;\r\n"
                 "grace@x.com;Grace;Navy;;\r\n;;;;\r\n", bom=True)
    assert importer.read_file(path, "people").headers == ("email", "name", "department")
    plan = importer.import_file(ctx, path, "people")
    assert plan.ok and plan.added == 2, [str(p) for p in plan.problems]
    assert sorted(p.department or "" for p in people.list_people(ctx)) == ["Navy", "R&D"]
    # A value under an unnamed column is not read past: it is reported, nothing imported.
    held = write(tmp_path, "h.csv", "email,name,,\r\nlin@x.com,Lin,,\r\nbo@x.com,Bo,,x\r\n")
    plan = importer.import_file(ctx, held, "people")
    assert not plan.ok and "has no header" in str(plan.problems[0])
    assert len(people.list_people(ctx)) == 2


def test_a_formula_in_an_email_or_a_vendor_id_is_refused(ctx: ServiceContext,
                                                        tmp_path: Path) -> None:
    tools.create_tool(ctx, name="Kaiten")
    formula = "looks like a spreadsheet formula"
    people_file = write(tmp_path, "p.csv", "email,name\r\n=a11@x.com,A\r\n'=b@x.com,B\r\n")
    plan = importer.import_file(ctx, people_file, "people")
    assert [str(p) for p in plan.problems] == [
        f"row 2, column email: {formula}; stackadmin stores text, not formulas (put a ' in "
        "front to keep it as text) (got '=a11@x.com')"]
    accounts_file = write(tmp_path, "a.csv", 'external_id,email\r\n"=HYPERLINK(""x"")",'
                          "a@x.com\r\nU2,=1+2@x.com\r\n")
    plan = importer.import_file(ctx, accounts_file, "accounts",
                                options=importer.ImportOptions(tool="Kaiten"))
    assert [p.column for p in plan.problems] == ["external_id", "email"]
    assert all(formula in str(p) for p in plan.problems)
    subs = write(tmp_path, "s.csv", "tool,unit_price,currency,owner_email\r\n"
                 "Slack,8,USD,=boss@x.com\r\n")
    plan = importer.import_file(ctx, subs, "subscriptions")
    assert [p.column for p in plan.problems] == ["owner_email"]
    assert not people.list_people(ctx) and not accounts.list_accounts(ctx)


def test_an_excel_sep_line_names_the_delimiter_and_is_not_a_row(ctx: ServiceContext,
                                                                 tmp_path: Path) -> None:
    # Files written for Excel often begin "sep=;": Excel reads the delimiter from it and
    # shows the file from the header, which is row 1.
    path = write(tmp_path, "p.csv", "sep=;\r\nemail;name\r\nada@x.com;Lovelace, Ada\r\n"
                 "grace@x.com;Grace\r\n", bom=True)
    file = importer.read_file(path, "people")
    assert file.table.delimiter == ";" and file.headers == ("email", "name")
    plan = importer.import_file(ctx, path, "people")
    assert plan.ok and plan.added == 2, [str(p) for p in plan.problems]
    assert sorted(p.name for p in people.list_people(ctx)) == ["Grace", "Lovelace, Ada"]
    # In capitals, naming a tab; problems count rows from the header (row 1).
    tabbed = write(tmp_path, "t.csv", "SEP=\t\nemail\tname\nnot-an-email\tX\n")
    assert [str(p) for p in importer.import_file(ctx, tabbed, "people").problems] == [
        "row 2, column email: is not an email address (got 'not-an-email')"]


def test_accounts_keep_the_vendors_own_role_word_beside_the_role(ctx: ServiceContext,
                                                                tmp_path: Path) -> None:
    from stackadmin.services.spreadsheets import exports

    tool = tools.create_tool(ctx, name="Slack")
    options = importer.ImportOptions(tool="Slack")
    vendor = write(tmp_path, "a.csv", "email,role\r\nada@x.com,Workspace Admin\r\n"
                   "bob@x.com,Single-Channel Guest\r\ncy@x.com,Admin\r\n")
    assert importer.import_file(ctx, vendor, "accounts", options=options).added == 3

    def roles() -> dict[str | None, tuple[str, str | None]]:
        return {a.email: (a.role, a.vendor_role)
                for a in accounts.list_accounts(ctx, tool_id=tool.id)}

    assert roles() == {"ada@x.com": ("admin", "Workspace Admin"),
                       "bob@x.com": ("guest", "Single-Channel Guest"),
                       "cy@x.com": ("admin", None)}
    # The access review shows the vendor's word, as for a synced tool.
    assert [r[3:5] for r in exports.access_rows(ctx)] == [
        ("admin", "Workspace Admin"), ("admin", None), ("guest", "Single-Channel Guest")]
    # The seats export writes the role alone: imported back, the vendor's word stays; a
    # role that changed drops the word that named the old one.
    back = write(tmp_path, "b.csv", "email,role\r\nada@x.com,admin\r\nbob@x.com,member\r\n"
                 "cy@x.com,admin\r\n")
    plan = importer.import_file(ctx, back, "accounts", options=options)
    assert (plan.updated, plan.unchanged) == (1, 2)
    assert roles() == {"ada@x.com": ("admin", "Workspace Admin"),
                       "bob@x.com": ("member", None), "cy@x.com": ("admin", None)}
    assert importer.import_file(ctx, vendor, "accounts", options=options).updated == 1
    assert roles()["bob@x.com"] == ("guest", "Single-Channel Guest")
