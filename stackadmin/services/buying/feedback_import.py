"""Importing a feedback round from the CSV a form tool exports (Google Forms, Microsoft Forms,
Typeform), with the spreadsheet imports' machinery: the same file reading, header mapping
(`--map COLUMN=FIELD`), problems as `row N, column C: ... (got '…')`, all or nothing.

Two shapes are read. One row per answer about one tool (columns for the email, the tool, the
score and a comment), or one row per person with a column per tool: Google Forms exports a
grid question as `Question [Slack]`, `Question [Zoom]`; any other column maps to a tool's
score or comment with `--map "How happy are you with Slack?=score:Slack"`. The forms' own
columns (Timestamp, Id, Start time, Network ID…) are read past."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.feedback import parse_satisfaction
from stackadmin.domain.spreadsheet import clean_text, header_key
from stackadmin.domain.values import normalize_email
from stackadmin.errors import UserError, ValidationError
from stackadmin.services import audit
from stackadmin.services.buying.feedback import check_held_on, find_round, round_named
from stackadmin.services.context import ServiceContext
from stackadmin.services.spreadsheets.fields import IGNORE, parse_map_options
from stackadmin.services.spreadsheets.files import RawTable, read_table
from stackadmin.services.spreadsheets.importer import duplicate_headers, shape_problems
from stackadmin.services.spreadsheets.plan import Change, Problem
from stackadmin.store.models import FeedbackResponse, Person, Tool

__all__ = ["FeedbackColumns", "FeedbackImport", "import_feedback", "parse_map_options",
           "read_columns"]

FIELDS = ("email", "tool", "score", "comment", "name")
PER_TOOL = ("score", "comment")  # "score:Slack", "comment:Slack"
_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email address", "e-mail", "e-mail address", "email", "work email",
              "your email", "your work email", "what's your work email?",
              "what is your work email?", "respondent email", "username", "respondent"),
    "tool": ("tool", "tool name", "which tool", "which tool?", "which tool are you rating?",
             "which tool is this about?", "app", "application", "software", "product"),
    "score": ("score", "rating", "satisfaction", "satisfaction score", "overall satisfaction",
              "how satisfied are you?", "how satisfied are you with it?",
              "how happy are you with it?", "how would you rate it?", "rate it"),
    "comment": ("comment", "comments", "feedback", "anything else?", "why?", "notes",
                "what should we know?", "what could be better?", "tell us more"),
    "name": ("name", "full name", "your name", "respondent name", "display name"),
}
# Columns the form tools add on their own: when, which response, from where.
FORM_COLUMNS = frozenset(header_key(h) for h in (
    "Timestamp", "Id", "ID", "Start time", "Completion time", "Last modified time",
    "#", "Response Type", "Start Date (UTC)", "Stage Date (UTC)", "Submit Date (UTC)",
    "Network ID", "Tags", "Ending", "Submitted at", "Token", "Response ID",
    "Respondent ID", "Total points", "Quiz feedback"))
_COMMENT_WORDS = ("comment", "feedback", "anything", "suggest", "improve", "why")
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("email", ("email", "e_mail")),
    ("score", ("satisf", "rating", "rate", "score", "happy")),
    ("comment", _COMMENT_WORDS),
    ("tool", ("tool", "app", "software")),
)
_GRID = re.compile(r"^(?P<question>.*?)\s*\[(?P<item>[^\[\]]+)\]\s*$")
_ANONYMOUS = frozenset({"anonymous", "anon", "n/a", "-"})

Mapping_ = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class FeedbackImport:
    """What the import found and did (or would do, for a dry run)."""

    round: str
    file: str
    problems: list[Problem]
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    new_round: bool = False
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def added(self) -> int:
        return sum(1 for c in self.changes if c.action == "add")

    @property
    def updated(self) -> int:
        return sum(1 for c in self.changes if c.action == "update")

    def summary(self) -> str:
        verb = "imported" if self.committed else "would import"
        made = " (a new round)" if self.new_round else ""
        return (f"{self.file}: {verb} feedback for {self.round}{made}: {self.added} added, "
                f"{self.updated} updated, {self.unchanged} unchanged")


# -- mapping ----------------------------------------------------------------------------------
def _tool_index(session: Session) -> dict[str, tuple[int, str]]:
    return {" ".join(name.casefold().split()): (i, name)
            for i, name in session.execute(select(Tool.id, Tool.name))}


def _tool_key(text: str) -> str:
    return " ".join(text.casefold().split())


def detect_mapping(headers: Sequence[str], tools: Mapping[str, tuple[int, str]]) -> Mapping_:
    """Each header to a field: exact names and known variants first, then a grid column
    (`Question [Tool]`), the form tools' own columns (ignored), then keywords
    ("How satisfied…" is the score). None: nobody knows it (reported until mapped)."""
    aliases = {header_key(a): f for f, names in _ALIASES.items() for a in names}
    out: Mapping_ = {}
    taken: set[str] = set()
    for header in headers:
        key = header_key(header)
        target = key if key in FIELDS else aliases.get(key)
        if target and target not in taken:
            out[header] = target
            taken.add(target)
    for header in headers:
        if header in out:
            continue
        key = header_key(header)
        grid = _GRID.match(header)
        if grid:
            tool = tools.get(_tool_key(grid.group("item")))
            if tool is not None:
                words = header_key(grid.group("question"))
                kind = "comment" if any(w in words for w in _COMMENT_WORDS) else "score"
                out[header] = f"{kind}:{tool[1]}"
            else:
                out[header] = None  # a grid row naming no tool: reported, never guessed
            continue
        if key in FORM_COLUMNS:
            out[header] = IGNORE
            continue
        out[header] = None
        for field_name, keywords in _KEYWORDS:
            if field_name not in taken and any(w in key for w in keywords):
                out[header] = field_name
                taken.add(field_name)
                break
    return out


def _apply_overrides(headers: Sequence[str], mapping: Mapping_,
                     overrides: Mapping[str, str | None],
                     tools: Mapping[str, tuple[int, str]]) -> Mapping_:
    out = dict(mapping)
    by_key = {header_key(h): h for h in headers}
    for column, target in overrides.items():
        header = column if column in out else by_key.get(header_key(column))
        if header is None:
            raise UserError(f"--map {column}=...: the file has no column '{column}' "
                            f"(its columns: {', '.join(headers)})")
        value = (target or "").strip()
        if not value:
            out[header] = IGNORE
            continue
        kind, sep, tool = value.partition(":")
        if sep:
            if kind.strip().lower() not in PER_TOOL:
                raise UserError(f"--map {column}={target}: '{kind}' is not score or comment "
                                "(score:TOOL, comment:TOOL)")
            found = tools.get(_tool_key(tool))
            if found is None:
                raise UserError(f"--map {column}={target}: there is no tool named '{tool}'")
            value = f"{kind.strip().lower()}:{found[1]}"
        elif value.lower() not in FIELDS:
            raise UserError(f"--map {column}={target}: '{target}' is not a field of feedback "
                            f"({', '.join(FIELDS)}, score:TOOL, comment:TOOL)")
        else:
            value = value.lower()
            for other, taken in out.items():
                if taken == value and other != header:
                    out[other] = None  # the explicit mapping takes the field over
        out[header] = value
    return out


def _mapping_problems(headers: Sequence[str], mapping: Mapping_) -> list[Problem]:
    if len(headers) == 1 and not mapping.get(headers[0]):
        return [Problem(1, None, "only one column was found: the delimiter must be a comma, "
                                 "semicolon or tab", headers[0])]
    problems = duplicate_headers(headers)
    for header, target in mapping.items():
        if target is None:
            grid = _GRID.match(header)
            hint = (f" ('{grid.group('item')}' is not a tool in the inventory)" if grid
                    else "")
            problems.append(Problem(
                1, header or None,
                f"not a column stackadmin knows{hint}: map it with --map '{header}=FIELD' "
                f"or ignore it with --map '{header}=' (fields: {', '.join(FIELDS)}, "
                "score:TOOL, comment:TOOL)"))
    targets = {t for t in mapping.values() if t}
    if "email" not in targets:
        problems.append(Problem(1, None, "the column with the respondents' emails is "
                                         "missing: collect emails in the form, or map the "
                                         "column with --map COLUMN=email"))
    wide = any(t.startswith("score:") for t in targets)
    if wide and "tool" not in targets:
        for header, target in mapping.items():
            if target in ("comment", "score"):
                problems.append(Problem(
                    1, header, f"a {target} column needs a column naming the tool: map it to "
                               f"one tool's {target}s with --map '{header}={target}:TOOL', or "
                               f"ignore it with --map '{header}='"))
    if not wide:
        for required in ("tool", "score"):
            if required not in targets:
                problems.append(Problem(1, None, f"the required column '{required}' is "
                                                 f"missing (or map one with --map "
                                                 f"COLUMN={required}, or a column per tool "
                                                 "with --map COLUMN=score:TOOL)"))
    return problems


# -- rows -------------------------------------------------------------------------------------
@dataclass
class _Answer:
    row: int
    email: str
    tool_id: int
    tool: str
    score: int
    comment: str | None


def _email(text: str) -> str:
    if not text.strip() or text.strip().lower() in _ANONYMOUS:
        raise ValidationError("is empty: each answer needs the respondent's email (collect "
                              "emails in the form)")
    try:
        return normalize_email(text)
    except ValidationError:
        raise ValidationError("is not an email address") from None


def _comment(text: str) -> str | None:
    value = clean_text(text, multiline=True)
    if len(value) > 10_000:
        raise ValidationError("is longer than 10,000 characters")
    return value or None


def _read(table: RawTable, mapping: Mapping_, tools: Mapping[str, tuple[int, str]],
          problems: list[Problem]) -> list[_Answer]:
    columns = {t: i for i, t in enumerate(mapping[h] for h in table.headers) if t}
    headers = table.headers
    per_tool = [(i, t.partition(":")[0], t.partition(":")[2]) for t, i in columns.items()
                if ":" in t]
    answers: list[_Answer] = []
    seen: dict[tuple[str, int], int] = {}

    def cell(row: list[str], i: int) -> str:
        return row[i] if i < len(row) else ""

    def check(number: int, i: int, text: str, parse: Any) -> tuple[bool, Any]:
        try:
            return True, parse(text)
        except ValidationError as exc:
            problems.append(Problem(number, headers[i], str(exc), text))
            return False, None

    for number, row in zip(table.row_numbers, table.rows, strict=True):
        ok, email = check(number, columns["email"], cell(row, columns["email"]), _email)
        found: list[tuple[int, str, int, str | None]] = []
        if "tool" in columns and "score" in columns:
            tool_text = cell(row, columns["tool"]).strip()
            score_text = cell(row, columns["score"])
            if tool_text or score_text.strip() or not per_tool:
                good, tool = check(number, columns["tool"], tool_text,
                                   lambda t: _find_tool(t, tools))
                good2, score = check(number, columns["score"], score_text, parse_satisfaction)
                comment: str | None = None
                if "comment" in columns:
                    good3, comment = check(number, columns["comment"],
                                           cell(row, columns["comment"]), _comment)
                    good2 = good2 and good3
                if good and good2:
                    found.append((tool[0], tool[1], score, comment))
                ok = ok and good and good2
        scores: dict[str, tuple[int, int]] = {}
        notes: dict[str, tuple[int, str]] = {}
        for i, kind, name in per_tool:
            text = cell(row, i)
            if not text.strip():
                continue  # a tool this person did not rate
            if kind == "score":
                good, value = check(number, i, text, parse_satisfaction)
                if good:
                    scores[name] = (i, value)
                ok = ok and good
            else:
                good, value = check(number, i, text, _comment)
                if good and value:
                    notes[name] = (i, value)
                ok = ok and good
        for name, (i, value) in notes.items():
            if name not in scores:
                problems.append(Problem(number, headers[i], f"a comment on {name} without a "
                                                            "score for it", value))
                ok = False
        for name, (_i, value) in scores.items():
            tool_id, tool_name = tools[_tool_key(name)]
            found.append((tool_id, tool_name, value, notes.get(name, (0, None))[1]))
        if not ok:
            continue
        for tool_id, tool_name, value, comment in found:
            first = seen.get((email, tool_id))
            if first is not None:
                problems.append(Problem(number, None, f"{email} rated {tool_name} on row "
                                                      f"{first} already"))
                continue
            seen[(email, tool_id)] = number
            answers.append(_Answer(number, email, tool_id, tool_name, value, comment))
    return answers


def _find_tool(text: str, tools: Mapping[str, tuple[int, str]]) -> tuple[int, str]:
    value = clean_text(text)
    if not value:
        raise ValidationError("is empty: expected the name of a tool in the inventory")
    found = tools.get(_tool_key(value))
    if found is None:
        names = [name for _, name in tools.values()]
        close = difflib.get_close_matches(value, names, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValidationError(f"is not a tool in the inventory{hint}")
    return found


# -- plan and write ---------------------------------------------------------------------------
def _plan(session: Session, ctx: ServiceContext, table: RawTable, round_name: str,
          overrides: Mapping[str, str | None]
          ) -> tuple[FeedbackImport, list[_Answer], dict[tuple[int, str], FeedbackResponse]]:
    tools = _tool_index(session)
    mapping = detect_mapping(table.headers, tools)
    if overrides:
        mapping = _apply_overrides(table.headers, mapping, overrides, tools)
    existing_round = find_round(session, round_name)
    name = existing_round.name if existing_round is not None else round_name.strip()
    problems = _mapping_problems(table.headers, mapping)
    if not table.rows:
        problems.append(Problem(None, None, "the file has a header row but no data rows"))
    problems.extend(shape_problems(table))
    if problems:
        return FeedbackImport(name, table.name, problems), [], {}
    answers = _read(table, mapping, tools, problems)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        return FeedbackImport(name, table.name, problems), [], {}
    existing: dict[tuple[int, str], FeedbackResponse] = {}
    if existing_round is not None:
        existing = {(r.tool_id, r.respondent_email): r for r in session.scalars(
            select(FeedbackResponse).where(FeedbackResponse.round_id == existing_round.id))}
    changes: list[Change] = []
    unchanged = 0
    for a in answers:
        label = f"{a.email} on {a.tool}: {a.score}/5"
        old = existing.get((a.tool_id, a.email))
        if old is None:
            changes.append(Change(a.row, "add", label))
        elif (old.score, old.comment) != (a.score, a.comment):
            fields = tuple(f for f, same in (("score", old.score == a.score),
                                             ("comment", old.comment == a.comment))
                           if not same)
            changes.append(Change(a.row, "update", label, fields))
        else:
            unchanged += 1
    return (FeedbackImport(name, table.name, [], changes, unchanged, existing_round is None),
            answers, existing)


def _check_round(session: Session, round_name: str, held_on: date | None) -> None:
    found = find_round(session, round_name)
    if found is not None:
        check_held_on(found, held_on)


def import_feedback(ctx: ServiceContext, round_name: str, path: str | Path, *,
                    overrides: Mapping[str, str | None] | None = None, dry_run: bool = False,
                    held_on: date | None = None) -> FeedbackImport:
    """Checks the whole file, then (unless a dry run) writes every answer in one
    transaction: a new round is created, an answer given before in the round is updated,
    the same answer again changes nothing. A result with problems wrote nothing."""
    if not (round_name or "").strip():
        raise UserError("name the feedback round, e.g. \"2027 H1 tool survey\"")
    table = read_table(path)
    if dry_run:
        with ctx.read() as session:
            _check_round(session, round_name, held_on)
            return _plan(session, ctx, table, round_name, overrides or {})[0]
    with ctx.transaction() as session:
        _check_round(session, round_name, held_on)
        result, answers, existing = _plan(session, ctx, table, round_name, overrides or {})
        if not result.ok:
            return result
        if not result.changes:  # nothing to write: not even the round, nor an audit event
            return replace(result, committed=True)
        round_row = round_named(session, ctx, round_name, held_on)
        people = dict(session.execute(select(Person.email, Person.id).where(
            Person.email.in_({a.email for a in answers}))).all())
        for a in answers:
            old = existing.get((a.tool_id, a.email))
            if old is None:
                session.add(FeedbackResponse(
                    round_id=round_row.id, tool_id=a.tool_id, respondent_email=a.email,
                    person_id=people.get(a.email), score=a.score, comment=a.comment,
                    source="csv"))
            elif (old.score, old.comment) != (a.score, a.comment):
                audit.record(session, ctx, action="update", entity="feedback_response",
                             entity_id=old.id,
                             summary=f"{round_row.name}: {a.email} on {a.tool}",
                             changes=audit.diff({"score": old.score, "comment": old.comment},
                                                {"score": a.score, "comment": a.comment}))
                old.score, old.comment = a.score, a.comment
        session.flush()
        done = FeedbackImport(round_row.name, result.file, [], result.changes,
                              result.unchanged, result.new_round, committed=True)
        audit.record(session, ctx, action="import", entity="feedback", entity_id=round_row.id,
                     summary=done.summary(),
                     changes={"file": [None, result.file], "round": [None, round_row.name],
                              "added": [None, done.added], "updated": [None, done.updated],
                              "unchanged": [None, done.unchanged]})
        return done


@dataclass(frozen=True, slots=True)
class FeedbackColumns:
    """A file's columns and how each is read, for a form to show and change (the GUI)."""

    file: str
    headers: tuple[str, ...]
    mapping: Mapping_  # header -> field, "" ignored, None unknown
    tools: tuple[str, ...]  # the inventory's tools, for score:TOOL and comment:TOOL
    rows: int


def read_columns(ctx: ServiceContext, path: str | Path) -> FeedbackColumns:
    """Reads the file and detects its mapping, writing nothing (UserError when it cannot
    be read at all)."""
    table = read_table(path)
    with ctx.read() as session:
        tools = _tool_index(session)
    mapping = detect_mapping(table.headers, tools)
    return FeedbackColumns(table.name, table.headers, mapping,
                           tuple(sorted((n for _, n in tools.values()), key=str.casefold)),
                           len(table.rows))
