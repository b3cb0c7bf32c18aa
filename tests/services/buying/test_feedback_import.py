"""Feedback rounds imported from Google Forms, Microsoft Forms and Typeform exports: header
variants, both shapes (an answer a row, a column per tool), malformed files (all or nothing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stackadmin.errors import UserError, ValidationError
from stackadmin.services.audit import list_events
from stackadmin.services.buying import feedback
from stackadmin.services.buying.feedback_import import import_feedback
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import FeedbackResponse, FeedbackRound
from tests.services.buying.helpers import rated_tools

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feedback"
ROUND = "2027 H1 tool survey"


@pytest.fixture
def inventory(ctx: ServiceContext) -> ServiceContext:
    rated_tools(ctx)
    return ctx


def _answers(ctx: ServiceContext) -> dict[tuple[str, str], tuple[int, str | None]]:
    from stackadmin.store.models import Tool

    with ctx.read() as session:
        rows = session.execute(select(FeedbackResponse.respondent_email, Tool.name,
                                      FeedbackResponse.score, FeedbackResponse.comment)
                               .join(Tool, Tool.id == FeedbackResponse.tool_id)).all()
    return {(e, t): (s, c) for e, t, s, c in rows}


def _count(ctx: ServiceContext) -> tuple[int, int]:
    with ctx.read() as session:
        return (session.scalar(select(func.count()).select_from(FeedbackResponse)) or 0,
                session.scalar(select(func.count()).select_from(FeedbackRound)) or 0)


def test_google_forms_one_answer_a_row(inventory: ServiceContext) -> None:
    result = import_feedback(inventory, ROUND, FIXTURES / "google_forms_responses.csv")
    assert result.ok and result.committed and result.new_round
    assert (result.added, result.updated, result.unchanged) == (6, 0, 0)
    answers = _answers(inventory)
    assert answers[("ada@example.com", "Jira")] == (
        2, "Boards take ten seconds to load, every time.")
    assert answers[("chloe@example.com", "Jira")][0] == 1  # "jira": the tool, any case
    assert answers[("bob@example.com", "Slack")] == (4, None)  # an empty comment is none
    rep = feedback.report(inventory, ROUND)
    jira = next(t for t in rep.tools if t.tool == "Jira")
    assert jira.average == Decimal("1.5") and jira.responses == 2 and jira.low_scores == 2
    assert rep.tools[0].tool == "Jira"  # lowest rated first


def test_google_forms_grid_a_column_per_tool(inventory: ServiceContext) -> None:
    result = import_feedback(inventory, ROUND, FIXTURES / "google_forms_grid.csv")
    assert result.ok, [str(p) for p in result.problems]
    answers = _answers(inventory)
    assert len(answers) == 8  # blank cells: tools that person did not rate
    assert answers[("ada@example.com", "Slack")] == (5, None)  # "5 - Very satisfied"
    assert answers[("chloe@example.com", "Jira")] == (1, None)
    assert ("bob@example.com", "Zoom") not in answers


def test_microsoft_forms_export_with_a_bom_and_its_own_columns(
        inventory: ServiceContext) -> None:
    result = import_feedback(inventory, ROUND, FIXTURES / "microsoft_forms.csv")
    assert result.ok, [str(p) for p in result.problems]
    answers = _answers(inventory)
    assert answers[("chloe@example.com", "Figma")] == (
        5, "Dev mode changed how we hand off, keep it.")
    assert len(answers) == 4


def test_typeform_export(inventory: ServiceContext) -> None:
    result = import_feedback(inventory, ROUND, FIXTURES / "typeform_responses.csv")
    assert result.ok, [str(p) for p in result.problems]
    assert _answers(inventory)[("bob@example.com", "Zoom")] == (
        3, "Audio drops on the office wifi.")


def test_the_same_file_again_changes_nothing_and_a_new_score_updates(
        inventory: ServiceContext, tmp_path: Path) -> None:
    path = FIXTURES / "google_forms_responses.csv"
    import_feedback(inventory, ROUND, path)
    events = len(list_events(inventory))
    again = import_feedback(inventory, ROUND.upper(), path)  # the round, any case
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)
    assert not again.new_round and again.round == ROUND
    assert len(list_events(inventory)) == events  # nothing written, nothing audited
    assert again.summary().startswith("google_forms_responses.csv: imported feedback")
    held = _round_held_on(inventory)
    with pytest.raises(ValidationError, match=f"was held on {held.isoformat()}, not 2025-01-01"):
        import_feedback(inventory, ROUND, path, held_on=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="name a new round"):
        import_feedback(inventory, ROUND, path, held_on=date(2025, 1, 1), dry_run=True)
    assert import_feedback(inventory, ROUND, path, held_on=held).unchanged == 6
    changed = tmp_path / "changed.csv"
    changed.write_text(path.read_text("utf-8").replace('"Slack","4"', '"Slack","2"'), "utf-8")
    result = import_feedback(inventory, ROUND, changed)
    assert (result.added, result.updated) == (0, 1)
    assert _answers(inventory)[("bob@example.com", "Slack")][0] == 2
    assert _count(inventory) == (6, 1)


def test_a_dry_run_writes_nothing(inventory: ServiceContext) -> None:
    result = import_feedback(inventory, ROUND, FIXTURES / "typeform_responses.csv",
                             dry_run=True)
    assert result.ok and not result.committed and result.added == 3
    assert _count(inventory) == (0, 0)


def test_bad_rows_are_each_named_and_nothing_is_written(inventory: ServiceContext) -> None:
    result = import_feedback(inventory, ROUND, FIXTURES / "google_forms_bad_rows.csv")
    problems = [str(p) for p in result.problems]
    assert problems == [
        "row 2, column How satisfied are you with it?: is outside the scale: expected 1 to 5 "
        "(got '7')",
        "row 3, column Email Address: is empty: each answer needs the respondent's email "
        "(collect emails in the form) (got '')",
        "row 4, column Which tool are you rating?: is not a tool in the inventory (did you "
        "mean Slack?) (got 'Slak')",
        "row 5, column How satisfied are you with it?: is not a score from 1 to 5 (a number, "
        "e.g. 4, or the scale's words, e.g. Satisfied) (got 'great')",
        "row 7: chloe@example.com rated Figma on row 6 already",
        "row 8, column How satisfied are you with it?: is not a score from 1 to 5 (a number, "
        "e.g. 4, or the scale's words, e.g. Satisfied) (got '=HYPERLINK(\"http://x\")')",
    ]
    assert _count(inventory) == (0, 0)  # not even the round


def test_an_unknown_column_is_reported_until_mapped(inventory: ServiceContext) -> None:
    path = FIXTURES / "microsoft_forms_unknown_column.csv"
    result = import_feedback(inventory, ROUND, path)
    problems = [str(p) for p in result.problems]
    assert any(p.startswith("row 1, column Your verdict: not a column stackadmin knows")
               for p in problems)
    assert any("column Department" in p for p in problems)
    assert any("'score' is missing" in p for p in problems)
    mapped = import_feedback(inventory, ROUND, path,
                             overrides={"Your verdict": "score", "Department": None})
    assert mapped.ok and _answers(inventory)[("ada@example.com", "Slack")] == (5, None)


def test_a_header_given_to_two_columns_is_named_and_nothing_is_read(
        inventory: ServiceContext, tmp_path: Path) -> None:
    # Two questions of one title (a form asking "Score" twice): read, one column's answers
    # were dropped without a word and the other's imported.
    path = tmp_path / "twice.csv"
    path.write_text("email,tool,score,score\r\nada@example.com,Slack,5,1\r\n",
                    encoding="utf-8")
    result = import_feedback(inventory, ROUND, path)
    assert [str(p) for p in result.problems] == [
        "row 1, column score: is the header of two columns: rename one, or remove the one "
        "not wanted"]
    assert _count(inventory) == (0, 0)


def test_a_column_can_be_mapped_to_one_tools_score(inventory: ServiceContext,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "typeform.csv"
    path.write_text("#,Email,How do you like Slack?,Slack: what should change?\r\n"
                    "x1,ada@example.com,4,Threads\r\nx2,bob@example.com,,\r\n", "utf-8")
    result = import_feedback(inventory, ROUND, path, overrides={
        "How do you like Slack?": "score:slack", "Slack: what should change?": "comment:Slack"})
    assert result.ok, [str(p) for p in result.problems]
    assert _answers(inventory) == {("ada@example.com", "Slack"): (4, "Threads")}
    with pytest.raises(UserError, match="no tool named 'Slck'"):
        import_feedback(inventory, ROUND, path, overrides={"Email": "score:Slck"})
    with pytest.raises(UserError, match="not a field of feedback"):
        import_feedback(inventory, ROUND, path, overrides={"Email": "rating"})
    with pytest.raises(UserError, match="no column 'Nope'"):
        import_feedback(inventory, ROUND, path, overrides={"Nope": "score"})


def test_anonymous_answers_and_missing_emails_are_refused(inventory: ServiceContext) -> None:
    anonymous = import_feedback(inventory, ROUND, FIXTURES / "microsoft_forms_anonymous.csv")
    assert [str(p) for p in anonymous.problems] == [
        "row 2, column Email: is empty: each answer needs the respondent's email (collect "
        "emails in the form) (got 'anonymous')"]
    grid = import_feedback(inventory, ROUND,
                           FIXTURES / "google_forms_grid_no_email_unknown_tool.csv")
    problems = [str(p) for p in grid.problems]
    assert any("('Confluence' is not a tool in the inventory)" in p for p in problems)
    assert any("respondents' emails is missing" in p for p in problems)
    assert _count(inventory) == (0, 0)


def test_files_that_cannot_be_read(inventory: ServiceContext, tmp_path: Path) -> None:
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("Email,Tool,Score\r\nzoë@example.com,Slack,4\r\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8 text"):
        import_feedback(inventory, ROUND, latin)
    header_only = tmp_path / "header.csv"
    header_only.write_text("Email,Tool,Score\r\n", "utf-8")
    result = import_feedback(inventory, ROUND, header_only)
    assert [str(p) for p in result.problems] == ["the file has a header row but no data rows"]
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Email,Tool,Score\r\nada@example.com,Slack\r\n", "utf-8")
    assert "has 2 cells but the header has 3" in str(
        import_feedback(inventory, ROUND, ragged).problems[0])
    with pytest.raises(UserError, match="does not exist"):
        import_feedback(inventory, ROUND, tmp_path / "missing.csv")
    with pytest.raises(UserError, match="name the feedback round"):
        import_feedback(inventory, "  ", ragged)


def test_a_wide_file_with_a_general_comment_needs_it_mapped(inventory: ServiceContext,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("Timestamp,Email Address,Rate each tool [Slack],Anything else?\r\n"
                    "1/12/2027 9:14:03,ada@example.com,4,More emoji\r\n", "utf-8")
    result = import_feedback(inventory, ROUND, path)
    assert any("comment" in str(p) and "Anything else?" in str(p) for p in result.problems)
    ok = import_feedback(inventory, ROUND, path, overrides={"Anything else?": "comment:Slack"})
    assert ok.ok and _answers(inventory) == {("ada@example.com", "Slack"): (4, "More emoji")}


def test_a_grid_with_a_comment_column_per_tool(inventory: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("Timestamp,Email Address,Rate each tool [Slack],Comments [Slack],"
                    "Rate each tool [Zoom],Comments [Zoom]\r\n"
                    "1/12/2027 9:14:03,ada@example.com,Satisfied,Too many pings,,\r\n"
                    "1/12/2027 9:20:00,bob@example.com,,,2,\r\n", "utf-8")
    result = import_feedback(inventory, ROUND, path)
    assert result.ok, [str(p) for p in result.problems]
    assert _answers(inventory) == {("ada@example.com", "Slack"): (4, "Too many pings"),
                                   ("bob@example.com", "Zoom"): (2, None)}
    lonely = tmp_path / "lonely.csv"
    lonely.write_text("Email Address,Rate each tool [Slack],Comments [Slack]\r\n"
                      "chloe@example.com,,Never used it\r\n", "utf-8")
    problems = [str(p) for p in import_feedback(inventory, ROUND, lonely).problems]
    assert problems == ["row 2, column Comments [Slack]: a comment on Slack without a score "
                        "for it (got 'Never used it')"]


def _round_held_on(ctx: ServiceContext) -> date:
    with ctx.read() as session:
        return session.scalars(select(FeedbackRound.held_on)).one()
