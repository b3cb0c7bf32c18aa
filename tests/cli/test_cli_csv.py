"""`stackadmin import ...` and `stackadmin export ...`: exit codes, messages, files."""

from __future__ import annotations

from pathlib import Path

from stackadmin.services.context import ServiceContext
from stackadmin.services.spreadsheets import importer
from tests.cli.conftest import Run

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"
TEMPLATES = Path(__file__).parent.parent.parent / "resources" / "templates"


def test_templates_import_as_they_ship(run: Run) -> None:
    for kind in ("people", "subscriptions"):
        result = run("import", kind, str(TEMPLATES / f"{kind}.csv"))
        assert result.code == 0, result.err
        assert "1 added" in result.out
    result = run("import", "accounts", "--tool", "Slack", str(TEMPLATES / "accounts.csv"))
    assert result.code == 0 and "1 added" in result.out, result.err


def test_the_service_finds_the_templates() -> None:
    for kind in ("subscriptions", "people", "accounts"):
        assert importer.template_path(kind) == TEMPLATES / f"{kind}.csv"
        assert importer.template_path(kind).read_text().startswith(
            ",".join(importer.TEMPLATE_HEADERS[importer.ImportKind(kind)]))


def test_template_headers_are_the_contract() -> None:
    headers = {p.stem: p.read_text(encoding="utf-8-sig").splitlines()[0]
               for p in TEMPLATES.glob("*.csv")}
    assert headers == {
        "subscriptions": "tool,vendor,category,owner_email,plan,pricing,unit_price,seats,"
                         "currency,billing_period,term_start,renewal_date,auto_renew,"
                         "notice_days,cost_center,notes",
        "people": "email,name,department,status,end_date",
        "accounts": "email,name,role,status,last_active,external_id",
    }


def test_a_bad_file_exits_1_with_every_problem_and_no_traceback(run: Run) -> None:
    result = run("import", "subscriptions", str(FIXTURES / "sub_many_problems.csv"))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines == [
        "sub_many_problems.csv: row 2, column seats: cannot be negative (got '-1')",
        "sub_many_problems.csv: row 3, column currency: is not an ISO 4217 currency code "
        "(e.g. USD, EUR, JPY) (got 'EURO')",
        "sub_many_problems.csv: row 4, column term_start: is not an ISO date (YYYY-MM-DD): "
        "give its format with --date-format, e.g. %d/%m/%Y (got '31/12/2026')",
        "stackadmin: error: sub_many_problems.csv: 3 problems; nothing was imported",
    ]
    assert result.out == ""


def test_unreadable_files_and_usage_errors(run: Run, tmp_path: Path) -> None:
    latin = run("import", "subscriptions", str(FIXTURES / "sub_wrong_encoding_latin1.csv"))
    assert latin.code == 1 and latin.err.startswith(
        "stackadmin: error: sub_wrong_encoding_latin1.csv is not UTF-8 text")
    missing = run("import", "people", str(tmp_path / "nope.csv"))
    assert missing.code == 1 and "does not exist" in missing.err
    assert run("import", "things", "x.csv").code == 2
    bad_map = run("import", "people", str(FIXTURES / "people_bad_status.csv"), "--map", "oops")
    # A malformed option is a usage error, like any other (exit 2), said in one line.
    assert bad_map.code == 2 and "argument --map: expects COLUMN=FIELD" in bad_map.err
    assert "Traceback" not in latin.err + missing.err + bad_map.err


def test_dry_run_lists_changes_and_writes_nothing(run: Run, tmp_path: Path, db_url: str,
                                                  db_kind: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text("tool,unit_price,currency,seats\nSlack,\"$1,200.00\",USD,3\n")
    dry = run("import", "subscriptions", str(path), "--dry-run")
    assert dry.code == 0
    # Checked against an empty database; none is left behind.
    assert "no database at" in dry.err and "checked as if it were empty" in dry.err
    if db_kind == "sqlite":
        assert not Path(db_url).exists()
    else:
        from sqlalchemy import create_engine, inspect
        engine = create_engine(db_url)
        assert inspect(engine).get_table_names() == []
        engine.dispose()
    assert dry.out.splitlines() == [
        "would add tool Slack (row 2)",
        "would add term Slack (row 2)",
        "s.csv: would import subscriptions: 1 added, 0 updated, 0 unchanged (dry run: nothing "
        "written)"]
    real = run("import", "subscriptions", str(path))
    assert real.code == 0 and "imported subscriptions: 1 added" in real.out
    again = run("import", "subscriptions", str(path))
    assert "0 added, 0 updated, 1 unchanged" in again.out


def _no_database_left(db_url: str, db_kind: str) -> bool:
    if db_kind == "sqlite":
        return not Path(db_url).exists()
    from sqlalchemy import create_engine, inspect
    engine = create_engine(db_url)
    try:
        return inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_a_file_that_cannot_be_imported_creates_no_database(run: Run, tmp_path: Path,
                                                             db_url: str, db_kind: str) -> None:
    bad = tmp_path / "s.csv"
    bad.write_text("tool,unit_price,currency,seats\nSlack,10,USD,-3\n")
    result = run("import", "subscriptions", str(bad))
    assert result.code == 1 and "row 2, column seats: cannot be negative" in result.err
    assert _no_database_left(db_url, db_kind)
    missing = run("import", "people", str(tmp_path / "nope.csv"))
    assert missing.code == 1 and "does not exist" in missing.err
    good = tmp_path / "p.csv"
    good.write_text("email,name\nada@example.com,Ada\n")
    no_tool = run("import", "accounts", "--tool", "Slack", str(good))
    assert no_tool.code == 1 and "there is no tool named 'Slack'" in no_tool.err
    assert _no_database_left(db_url, db_kind)
    made = run("import", "people", str(good))  # a good file creates it, as before
    assert made.code == 0 and "1 added" in made.out, made.err
    assert "checked as if" not in made.err
    assert not _no_database_left(db_url, db_kind)
    assert "0 added, 0 updated, 1 unchanged" in run("import", "people", str(good)).out


def test_decimal_comma_and_map_options(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("Werkzeug;Preis;Währung\nMiro;1 200,50 €;EUR\n", encoding="utf-8")
    result = run("import", "subscriptions", str(path), "--decimal-comma",
                 "--map", "Werkzeug=tool", "--map", "Preis=unit_price", "--map",
                 "Währung=currency")
    assert result.code == 0, result.err
    exported = run("export", "finance", str(tmp_path / "f.csv"), "--as-of", "2026-11-25")
    assert exported.code == 0
    line = (tmp_path / "f.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert line.startswith("Miro,,,,,per_seat,annual,EUR,1200.50,")
    # A column mapped twice is refused, whichever would have won: nothing is written.
    twice = run("import", "subscriptions", str(path), "--decimal-comma",
                "--map", "Werkzeug=tool", "--map", "Preis=unit_price", "--map",
                "Währung=currency", "--map", "Preis=seats")
    assert twice.code == 1
    assert "--map gives the column 'Preis' twice ('unit_price' and 'seats')" in twice.err


def test_exports_write_files_and_print_totals(run: Run, tmp_path: Path) -> None:
    assert run("demo").code == 0
    finance = run("export", "finance", str(tmp_path / "f.csv"), "--no-bom")
    assert finance.code == 0, finance.err
    assert finance.out.startswith("wrote ") and "annual cost total in USD: " in finance.out
    assert not (tmp_path / "f.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    seats = run("export", "seats", str(tmp_path / "s.csv"))
    assert seats.code == 0 and (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    everyone = run("export", "people", str(tmp_path / "p.csv"))
    assert everyone.code == 0 and " people to " in everyone.out, everyone.err
    header = (tmp_path / "p.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "email,name,department,cost_center,title,status,end_date"
    assert run("export", "people", str(tmp_path / "q.csv"), "--status", "gone").code == 2
    review = run("export", "access-review", str(tmp_path / "a.csv"), "--tool", "Slack")
    assert review.code == 0 and "accounts with access" in review.out
    unknown = run("export", "access-review", str(tmp_path / "b.csv"), "--tool", "Nope")
    assert unknown.code == 1 and "there is no tool named 'Nope'" in unknown.err
    assert not (tmp_path / "b.csv").exists()
    nowhere = run("export", "finance", str(tmp_path / "no" / "f.csv"))
    assert nowhere.code == 1 and "does not exist" in nowhere.err
    assert run("export", "finance", str(tmp_path / "x.csv"), "--as-of", "25/11/2026").code == 2


def test_import_warns_on_stderr_about_a_second_open_term(ctx: ServiceContext, run: Run,
                                                         tmp_path: Path) -> None:
    from datetime import date

    from stackadmin.services.inventory import terms, tools

    notion = tools.create_tool(ctx, name="Notion")
    terms.create_term(ctx, tool_id=notion.id, plan="Business", currency="USD",
                      unit_price="10", seats=15, term_start=date(2026, 1, 1),
                      renewal_date=date(2027, 1, 1))
    path = tmp_path / "subs.csv"
    path.write_text("tool,unit_price,currency,seats\r\nNotion,10,USD,25\r\n", encoding="utf-8")
    for extra in (["--dry-run"], []):
        res = run("import", "subscriptions", str(path), *extra)
        assert res.code == 0, res.err
        lines = [line for line in res.err.splitlines() if "warning:" in line]
        assert len(lines) == 1, res.err
        assert lines[0].startswith("stackadmin: warning: subs.csv: row 2, column tool: adds a "
                                   "second open term to Notion")
    res = run("import", "subscriptions", str(path))  # the same file again: nothing added
    assert res.code == 0 and "warning:" not in res.err
