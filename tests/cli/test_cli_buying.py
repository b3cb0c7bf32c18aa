"""`stackadmin requests / evaluate / feedback / tags / overlaps` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import FeedbackResponse, SubscriptionTerm, Tool
from tests.cli.conftest import Run
from tests.conftest import TODAY
from tests.services.buying.helpers import email, rated_tools, whiteboards

AS_OF = ["--as-of", TODAY.isoformat()]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feedback"


@pytest.fixture
def boards(ctx: ServiceContext) -> ServiceContext:
    whiteboards(ctx)
    return ctx


def _one_line_error(text: str) -> None:
    assert text.startswith("stackadmin: error: ") and "Traceback" not in text


def test_requests_add_list_set_show(boards: ServiceContext, run: Run) -> None:
    added = run("requests", "add", "A whiteboard for remote workshops", "--by", email("ada"),
                "--team", "Growth", "--category", "whiteboard", "--urgency", "high",
                "--note", "workshops every Friday")
    assert added.code == 0, added.err
    assert added.out.startswith("request 1 added: A whiteboard for remote workshops")
    run("requests", "add", "Zoom for sales", "--by", email("bob"), "--tool", "Zoom")
    listed = run("requests", "list", "--json", *AS_OF)
    assert listed.code == 0, listed.err
    rows = json.loads(listed.out)
    assert [r["id"] for r in rows] == [1, 2]
    first = rows[0]
    assert {"id", "title", "status", "requested_by", "category", "already_paid"} <= set(first)
    assert (first["status"], first["requested_by"], first["category"]) == (
        "new", "ada@example.com", "whiteboard")
    assert first["already_paid"][0] == {**first["already_paid"][0], "tool": "Miro",
                                        "seats_purchased": 10, "seats_unused": 6}
    assert {p["tool"] for p in first["already_paid"]} == {"Miro", "FigJam", "Mural"}
    assert [p["tool"] for p in rows[1]["already_paid"]] == ["Zoom"]

    assert run("requests", "set", "1", "triaged").code == 0
    rejected = run("requests", "set", "2", "rejected", "--reason", "3 Zoom seats unused")
    assert rejected.code == 0 and "rejected" in rejected.out
    only = json.loads(run("requests", "list", "--status", "rejected", "--json").out)
    assert [r["id"] for r in only] == [2]
    shown = run("requests", "show", "2", *AS_OF)
    assert "new → rejected (3 Zoom seats unused)" in shown.out
    assert "Zoom (Communication) is paid for: 4 seats, 3 unused" in shown.out


ERRORS = [
    (("requests", "add", "X", "--by", "zed@example.com"), "no one in the people list"),
    (("requests", "set", "9", "triaged"), "no request with id 9"),
    (("requests", "set", "1", "done"), "'done' is not a request status"),
    (("requests", "set", "1", "rejected"), "rejection needs a reason"),
    (("requests", "set", "1", "purchased", "--tool", "Miro"), "not purchased"),
    (("requests", "set", "1", "duplicate", "--duplicate-of", "1"), "duplicate of itself"),
    (("requests", "list", "--status", "open"), "'open' is not a request status"),
]


def test_requests_errors_are_one_line_and_exit_1(boards: ServiceContext, run: Run) -> None:
    run("requests", "add", "Something", "--by", email("ada"))
    for args, words in ERRORS:
        result = run(*args)
        assert result.code == 1, (args, result.out)
        _one_line_error(result.err)
        assert words in result.err, args


def test_requests_usage_errors_exit_2(boards: ServiceContext, run: Run) -> None:
    assert run("requests", "add", "X").code == 2  # --by is required
    assert run("requests", "add", "X", "--by", email("ada"), "--urgency", "asap").code == 2
    assert run("requests", "set", "one", "triaged").code == 2


def test_evaluate_from_candidates_to_the_purchase(boards: ServiceContext, run: Run) -> None:
    run("requests", "add", "A whiteboard", "--by", email("ada"), "--category", "whiteboard")
    added = run("evaluate", "add", "1", "--candidate", "Miro", "Excalidraw+",
                "--candidate", "Tldraw")
    assert added.code == 0 and "Miro, Excalidraw+, Tldraw" in added.out
    quote = run("evaluate", "quote", "1", "Excalidraw+", "--price", "6.50", "--currency", "EUR",
                "--seats", "25", "--billing", "monthly", "--plan", "Team")
    assert quote.code == 0 and "1950.00 EUR a year" in quote.out
    for who, scores in (("ada", ["fit=4", "adoption=5", "integrations=3", "price=2",
                                 "viability=5"]),
                        ("bob", ["fit=2", "adoption=3", "integrations=3", "price=4",
                                 "viability=3"])):
        assert run("evaluate", "score", "1", "Miro", *scores, "--by", email(who)).code == 0
    assert run("evaluate", "score", "1", "excalidraw+", "fit=5", "security=4", "--by",
               email("ada"), "--note", "SOC 2 report read").code == 0
    rep = run("evaluate", "report", "1", "--json", *AS_OF)
    assert rep.code == 0, rep.err
    data = json.loads(rep.out)
    by_name = {c["name"]: c for c in data["candidates"]}
    for c in data["candidates"]:
        assert {"name", "weighted_total", "spread", "annual_cost_base", "scores"} <= set(c)
    miro = by_name["Miro"]
    # 280 / 85 and 80 / 85, security left out (nobody scored it).
    assert miro["weighted_total"] == 3.29 and miro["spread"] == 0.94
    assert miro["scores"] == {"fit": 3.0, "adoption": 4.0, "integrations": 3.0,
                              "security": None, "price": 3.0, "viability": 4.0}
    assert miro["left_out"] == ["security"] and miro["annual_cost_base"] is None
    excal = by_name["Excalidraw+"]
    # (30 × 5 + 15 × 4) / 45; EUR 1,950 × 1.10.
    assert excal["weighted_total"] == 4.67 and excal["annual_cost_base"] == "2145.00"
    assert data["candidates"][0]["name"] == "Excalidraw+"
    text = run("evaluate", "report", "1", *AS_OF)
    assert "Miro: nobody scored security; left out" in text.out

    decided = run("evaluate", "decide", "1", "Excalidraw+", "--rationale", "Best fit",
                  "--start", "2026-12-01")
    assert decided.code == 0, decided.err
    assert "created tool Excalidraw+" in decided.out and "purchased" in decided.out
    with boards.read() as s:
        tool = s.scalars(select(Tool).where(Tool.name == "Excalidraw+")).one()
        term = s.scalars(select(SubscriptionTerm).where(SubscriptionTerm.tool_id == tool.id)
                         ).one()
        assert (term.unit_price_minor, term.currency, term.seats, term.billing_months) == (
            650, "EUR", 25, 1)
        assert term.term_start.isoformat() == "2026-12-01"
        assert term.renewal_date is not None and term.renewal_date.isoformat() == "2027-12-01"
    after = json.loads(run("requests", "list", "--json").out)[0]
    assert after["status"] == "purchased" and after["purchased_tool"] == "Excalidraw+"
    again = run("evaluate", "decide", "1", "Miro", "--rationale", "x")
    assert again.code == 1 and "was decided" in again.err


def test_evaluate_errors_name_the_value(boards: ServiceContext, run: Run) -> None:
    run("requests", "add", "A whiteboard", "--by", email("ada"))
    assert run("evaluate", "add", "1", "--candidate", "Miro").code == 0
    bad = run("evaluate", "score", "1", "Miro", "fit=6", "--by", email("ada"))
    assert bad.code == 1 and "fit: a score must be from 1 to 5, got 6" in bad.err
    _one_line_error(bad.err)
    unknown = run("evaluate", "score", "1", "Miro", "speed=3", "--by", email("ada"))
    assert unknown.code == 1 and "'speed' is not a criterion" in unknown.err
    shape = run("evaluate", "score", "1", "Miro", "fit", "--by", email("ada"))
    assert shape.code == 1 and "expected CRITERION=SCORE, got 'fit'" in shape.err
    assert run("evaluate", "score", "2", "Miro", "fit=3", "--by", email("ada")).code == 1
    weights = run("evaluate", "weights", "1", "fit=50")
    assert weights.code == 1 and "add up to 100, not 120" in weights.err
    assert run("evaluate", "weights", "1", "fit=20", "viability=20").code == 0
    no_quote = run("evaluate", "add", "1", "--candidate", "Tldraw")
    assert no_quote.code == 0
    decide = run("evaluate", "decide", "1", "Tldraw", "--rationale", "nice")
    assert decide.code == 1 and "Tldraw has no quote" in decide.err
    money = run("evaluate", "quote", "1", "Tldraw", "--price", "1.5", "--currency", "JPY",
                "--seats", "3")
    assert money.code == 1 and "more decimals than JPY" in money.err
    assert run("evaluate", "decide", "1", "Tldraw").code == 2  # --rationale is required


def test_feedback_import_report_and_add(ctx: ServiceContext, run: Run) -> None:
    rated_tools(ctx)
    dry = run("feedback", "import", "2027 H1", str(FIXTURES / "google_forms_responses.csv"),
              "--dry-run")
    assert dry.code == 0, dry.err
    assert "would add ada@example.com on Slack: 5/5 (row 2)" in dry.out
    assert "would import feedback for 2027 H1 (a new round): 6 added" in dry.out
    done = run("feedback", "import", "2027 H1", str(FIXTURES / "typeform_responses.csv"))
    assert done.code == 0 and "imported feedback for 2027 H1" in done.out
    mapped = run("feedback", "import", "2027 H1",
                 str(FIXTURES / "microsoft_forms_unknown_column.csv"),
                 "--map", "Your verdict=score", "--map", "Department=")
    assert mapped.code == 0, mapped.err
    assert run("feedback", "add", "2027 H1", "Jira", "--by", email("dmitri"), "--score", "2",
               "--comment", "slow").code == 0
    rep = json.loads(run("feedback", "report", "--json").out)
    assert rep["round"] == "2027 H1"
    jira = next(t for t in rep["tools"] if t["tool"] == "Jira")
    assert (jira["average"], jira["responses"]) == (1.5, 2)
    assert jira["annual_cost_base"] == "1173.60"
    assert rep["tools"][0]["tool"] == "Jira"
    human = run("feedback", "report", "--round", "2027 h1")
    assert human.code == 0 and "lowest rated first" in human.out


def test_feedback_import_problems_exit_1_and_write_nothing(ctx: ServiceContext,
                                                            run: Run) -> None:
    rated_tools(ctx)
    result = run("feedback", "import", "2027 H1", str(FIXTURES / "google_forms_bad_rows.csv"))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0] == ("google_forms_bad_rows.csv: row 2, column How satisfied are you "
                        "with it?: is outside the scale: expected 1 to 5 (got '7')")
    assert lines[-1] == ("stackadmin: error: google_forms_bad_rows.csv: 6 problems; nothing "
                         "was imported")
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(FeedbackResponse)) == 0
    bad_map = run("feedback", "import", "R", str(FIXTURES / "typeform_responses.csv"),
                  "--map", "nonsense")
    assert bad_map.code == 1 and "--map expects COLUMN=FIELD" in bad_map.err
    assert run("feedback", "report", "--round", "nope").code == 1


def test_tags_and_overlaps(boards: ServiceContext, run: Run) -> None:
    assert run("tags", "set", "Zoom", "video calls", "Webinars").out.strip() == (
        "Zoom: video calls, webinars")
    assert run("tags", "set", "Nope", "x").code == 1
    listed = json.loads(run("tags", "list", "--json").out)
    assert {"tool": "Zoom", "category": "Communication",
            "tags": ["video calls", "webinars"]} in listed
    result = run("overlaps", "--json", *AS_OF)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    boards_row = next(r for r in rows if r["tools"] == ["Miro", "FigJam", "Mural"])
    assert {"tools", "shared", "annual_cost_base", "people_in_several", "saving_base"} <= set(
        boards_row)
    assert boards_row["shared"] == ["whiteboard"]
    assert boards_row["annual_cost_base"] == "2208.00"
    assert boards_row["people_in_several"] == 2
    assert boards_row["saving_base"] == "1008.00"  # Miro's unused seats take the movers
    assert (boards_row["movers"], boards_row["extra_seats"]) == (2, 0)
    early = run("overlaps", "--json", "--as-of", "2026-10-01")
    assert "no exchange rate to USD for EUR" in early.err
    assert next(r for r in json.loads(early.out) if "Mural" in r["tools"])["saving_base"] is None
    assert "Miro, FigJam, Mural" in run("overlaps", *AS_OF).out


def test_the_rightsizing_brief_says_when_a_term_overlaps(boards: ServiceContext,
                                                         run: Run) -> None:
    from stackadmin.services.inventory.terms import list_terms

    miro = next(t.id for t in list_terms(boards) if t.tool == "Miro")
    data = json.loads(run("rightsizing", str(miro), "--json", *AS_OF).out)
    assert data["overlaps"] == ["Miro renews in 265 days; 2 of its 4 active users also use "
                                "FigJam"]


def test_evaluate_a_criterion_given_twice_is_refused(boards: ServiceContext, run: Run) -> None:
    run("requests", "add", "A whiteboard", "--by", email("ada"))
    assert run("evaluate", "add", "1", "--candidate", "Miro").code == 0
    twice = run("evaluate", "score", "1", "Miro", "fit=2", "FIT=5", "--by", email("ada"))
    assert twice.code == 1, twice.out
    _one_line_error(twice.err)
    assert "fit is given twice ('fit=2' and 'FIT=5')" in twice.err
    report = json.loads(run("evaluate", "report", "1", "--json", *AS_OF).out)
    assert report["candidates"][0]["scores"]["fit"] is None  # nothing was written
    weights = run("evaluate", "weights", "1", "fit=20", "viability=20", "fit=30")
    assert weights.code == 1 and "fit is given twice" in weights.err
    after = json.loads(run("evaluate", "report", "1", "--json", *AS_OF).out)
    assert {c["key"]: c["weight"] for c in after["criteria"]}["fit"] == 30
