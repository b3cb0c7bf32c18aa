"""Concurrency: several stackadmins on one database at the same instant (on a SQLite file, and
on PostgreSQL with --pg-url).

- Two upgraders (and a command that upgrades on open) on an older database: one upgrades,
  the others find it done; one backup, the whole schema, every row.
- Two imports of the same people file: each person once, no IntegrityError.
- The GUI's service context open and saving while command-line imports, decisions and
  settings run: nothing waits forever, nothing says "locked", no update is lost (each
  record's version counts its saves, and the audit trail has one event per save).
- Two people editing the same term, tool and person: the second save is told.
Children are started together: each loads its modules, then they all begin at one instant
(launcher.py), so their opens and writes collide.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from subprocess import Popen

import pytest

from stackadmin.domain.vocab import AuditSource
from stackadmin.errors import StaleRecordError
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.services.inventory import people, terms, tools
from stackadmin.services.renewals import reminders
from stackadmin.services.seats import utilization
from stackadmin.store.engine import make_engine, resolve_target
from stackadmin.store.migrate import head_revision, run_downgrade
from tests.reliability.conftest import Report
from tests.reliability.databases import databases, read_rows, rows_lost, scalar
from tests.reliability.helpers import BAD_WORDS, cli, start_cli

SECTION = "concurrency"
ROUNDS = {"sqlite": 3, "postgresql": 2}
START_DELAY = 2.5  # seconds for the children to load their modules before the common start
MIN_GUI_SAVES = 5


def _together(commands: list[list[str]], url: str, *, start: float | None = None
              ) -> list[tuple[int, str, str]]:
    """Runs the commands in children that begin their work at one instant (`start`, or
    START_DELAY from now: long enough for them to load their modules)."""
    at = f"{start if start is not None else time.time() + START_DELAY:.3f}"
    children: list[Popen[str]] = [start_cli(c, db=url, env={"RELIABILITY_START_AT": at})
                                  for c in commands]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        results.append((child.returncode, out, err))
    return results


def _clean(results: list[tuple[int, str, str]]) -> list[str]:
    """What went wrong for a user: a failed command, or a word that must not reach them."""
    problems = []
    for code, out, err in results:
        if code != 0:
            problems.append(f"exit {code}: {err.strip()}")
        problems.extend(f"said {word!r}" for word in BAD_WORDS if word in out + err)
    return problems


def _old_schema(url: str) -> None:
    assert cli("--db", url, "demo")[0] == 0
    engine = make_engine(resolve_target(url))
    try:
        run_downgrade(engine, "0001")
    finally:
        engine.dispose()


DATA = {"person": "SELECT id, email, name, department FROM person ORDER BY 1",
        "tool": "SELECT id, name, owner_id FROM tool ORDER BY 1",
        "subscription_term": "SELECT id, tool_id, plan, seats FROM subscription_term ORDER BY 1",
        "account": "SELECT id, tool_id, email, status FROM account ORDER BY 1"}


def test_two_upgraders_and_a_reader_on_an_older_database(
        db_kind: str, pg_admin_url: str | None, tmp_path: Path, reliability: Report) -> None:
    section = reliability.section(SECTION, db_kind)
    with databases(db_kind, tmp_path, pg_admin_url) as dbs:
        dbs.create_base(_old_schema)
        before = read_rows(dbs.base, DATA)
        for n in range(ROUNDS[db_kind]):
            url = dbs.copy(f"upgrade{n}")
            results = _together([["db", "upgrade"], ["db", "upgrade"], ["reminders"]], url)
            problems = _clean(results)
            upgraded = [out for _code, out, _err in results[:2] if "upgraded" in out]
            if len(upgraded) > 1:
                problems.append("both upgraders say they upgraded")
            after = read_rows(url, DATA)
            if after != before:
                problems.append("the rows changed")
            version = read_rows(url, {"alembic_version": "SELECT version_num FROM "
                                                         "alembic_version"})
            if version["alembic_version"] != [(head_revision(),)]:
                problems.append(f"ended at {version}")
            code, out, err = cli("--db", url, "db", "check")
            if code != 0:
                problems.append(f"db check: {out} {err}")
            if db_kind == "sqlite":
                made = list(Path(url).parent.glob(f"{Path(url).stem}.backup-*"))
                if len(made) != 1:
                    problems.append(f"{len(made)} backups instead of one")
            section.record(not problems, rows_lost=rows_lost(before, after, list(DATA)),
                           what=f"two upgraders, round {n}: {problems}", upgraders=1)
    assert not section.failures


def _people_file(path: Path, count: int, prefix: str, extra: str = "") -> Path:
    lines = ["email,name,department"]
    lines += [f"{prefix}{n}@example.com,{prefix.title()} {n},Research" for n in range(count)]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def _demo(url: str) -> None:
    assert cli("--db", url, "demo")[0] == 0


def _count(url: str, sql: str) -> int:
    return scalar(url, sql)


def test_two_imports_of_the_same_people_file(
        db_kind: str, pg_admin_url: str | None, tmp_path: Path, reliability: Report) -> None:
    section = reliability.section(SECTION, db_kind)
    file = _people_file(tmp_path / "same.csv", 800, "twice")
    with databases(db_kind, tmp_path, pg_admin_url) as dbs:
        dbs.create_base(_demo)
        people_before = _count(dbs.base, "SELECT count(*) FROM person")
        for n in range(ROUNDS[db_kind]):
            url = dbs.copy(f"import{n}")
            results = _together([["import", "people", str(file)]] * 2, url)
            problems = _clean(results)
            outs = sorted(out.strip() for _c, out, _e in results)
            wanted = sorted(["same.csv: imported people: 800 added, 0 updated, 0 unchanged",
                             "same.csv: imported people: 0 added, 0 updated, 800 unchanged"])
            if outs != wanted:
                problems.append(f"said {outs}")
            people_after = _count(url, "SELECT count(*) FROM person")
            if people_after != people_before + 800:
                problems.append(f"{people_after - people_before} people added, not 800")
            imports = _count(url, "SELECT count(*) FROM audit_event WHERE action = 'import' "
                                  "AND entity = 'people'")
            if imports != 1:
                problems.append(f"{imports} import events")
            section.record(not problems, what=f"two importers, round {n}: {problems}",
                           importers=1)
    assert not section.failures


def test_the_gui_saves_while_command_lines_import_decide_and_set(
        db_kind: str, pg_admin_url: str | None, tmp_path: Path, reliability: Report) -> None:
    """The GUI (a service context in this process, as the window holds one) reads pages and
    saves one person over and over while five command lines write. Every save counts."""
    section = reliability.section(SECTION, db_kind)
    with databases(db_kind, tmp_path, pg_admin_url) as dbs:
        dbs.create_base(_demo)
        url = dbs.copy("gui")
        gui = open_context(url, source=AuditSource.UI)
        try:
            target = people.list_people(gui)[0]
            assert target.department not in ("Ops", "Legal")
            extra = f"{target.email},{target.name},"
            file_a = _people_file(tmp_path / "a.csv", 300, "alpha", extra + "Ops\n")
            file_b = _people_file(tmp_path / "b.csv", 300, "beta", extra + "Legal\n")
            gui_run = _gui_saving(gui, target.id, url=url, commands=[
                ["import", "people", str(file_a)], ["import", "people", str(file_b)],
                ["decide", "Slack", "renew"], ["decide", "Zoom", "cancel"],
                ["rates", "set", "EUR", "1.2"]])
            problems = _clean(gui_run.results) + [f"the GUI got {e!r}" for e in gui_run.errors]
            final = people.get_person(gui, target.id)
            with gui.read() as session:
                from sqlalchemy import func, select

                from stackadmin.store.models import AuditEvent
                events = session.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.entity == "person", AuditEvent.entity_id == target.id,
                    AuditEvent.action == "update")) or 0
            expected = gui_run.saves + 2  # the GUI's saves and the two imports' changes
            lost = expected - (final.version - target.version)
            if lost or events != expected:
                problems.append(f"version moved {final.version - target.version} times and "
                                f"{events} updates were audited, for {expected} saves")
            decided = read_rows(url, {"term_decision": (
                "SELECT t.name, d.decision FROM term_decision d JOIN subscription_term s "
                "ON s.id = d.term_id JOIN tool t ON t.id = s.tool_id ORDER BY 1")})[
                "term_decision"]
            if decided != [("Slack", "renew"), ("Zoom", "cancel")]:
                problems.append(f"decisions {decided}")
            if _count(url, "SELECT count(*) FROM person WHERE email LIKE 'alpha%' OR "
                           "email LIKE 'beta%'") != 600:
                problems.append("imported people are missing")
            section.record(not problems, rows_lost=max(lost, 0),
                           what=f"GUI with five command lines: {problems}",
                           gui_saves=gui_run.saves, gui_told_of_a_change=gui_run.told)
        finally:
            gui.close()
    assert not section.failures


@dataclass
class GuiRun:
    saves: int  # saves that went through
    told: int  # saves refused because a command line saved the person first
    errors: list[BaseException]  # anything else the GUI met (must be none)
    results: list[tuple[int, str, str]]  # the command lines' (exit, stdout, stderr)


def _gui_saving(gui: ServiceContext, person_id: int, *, url: str,
                commands: list[list[str]]) -> GuiRun:
    """From the instant the command lines start until they are all done (and at least
    MIN_GUI_SAVES times), the GUI opens the person's form, loads two pages, and saves. A
    save refused because someone else saved first is opened again, as the user would."""
    run = GuiRun(0, 0, [], [])
    start = time.time() + START_DELAY
    commands_done = threading.Event()

    def save_loop() -> None:
        time.sleep(max(0.0, start - time.time()))
        try:
            while not commands_done.is_set() or run.saves < MIN_GUI_SAVES:
                shown = people.get_person(gui, person_id)  # the form opens
                utilization.compute(gui)  # another page loads meanwhile
                reminders.due_reminders(gui)
                try:
                    people.update_person(gui, person_id, expected_version=shown.version,
                                         title=f"from the GUI {run.saves}")
                    run.saves += 1
                except StaleRecordError:
                    run.told += 1  # the user is told and saves again
        except BaseException as exc:
            run.errors.append(exc)

    worker = threading.Thread(target=save_loop)
    worker.start()
    try:
        run.results = _together(commands, url, start=start)
    finally:
        commands_done.set()
        worker.join(120)
    return run


@pytest.mark.parametrize("what", ["term", "tool", "person"])
def test_two_people_editing_the_same_record(db_url: str, db_kind: str, ctx: ServiceContext,
                                            what: str, reliability: Report) -> None:
    section = reliability.section(SECTION, db_kind)
    other = open_context(db_url, source=AuditSource.UI)
    first, second = replace(ctx, actor="first"), replace(other, actor="second")
    try:
        tool = tools.create_tool(first, name="Figma")
        if what == "term":
            term = terms.create_term(first, tool_id=tool.id, currency="USD", seats=5)
            shown_first = shown_second = term.version
            terms.update_term(first, term.id, expected_version=shown_first, seats=6)
            save = lambda: terms.update_term(  # noqa: E731
                second, term.id, expected_version=shown_second, seats=9)
            stored = lambda: terms.get_term(first, term.id).seats  # noqa: E731
            theirs = 6
        elif what == "tool":
            tools.update_tool(first, tool.id, expected_version=tool.version, category="A")
            save = lambda: tools.update_tool(  # noqa: E731
                second, tool.id, expected_version=tool.version, category="B")
            stored = lambda: tools.tool_by_name(first, "Figma").category  # noqa: E731
            theirs = "A"
        else:
            person = people.create_person(first, email="ada@example.com")
            people.update_person(first, person.id, expected_version=person.version, title="A")
            save = lambda: people.update_person(  # noqa: E731
                second, person.id, expected_version=person.version, title="B")
            stored = lambda: people.get_person(first, person.id).title  # noqa: E731
            theirs = "A"
        try:
            save()
            told = False
        except StaleRecordError:
            told = True
        kept = stored() == theirs
        section.record(told and kept, what=f"two editors of a {what}: told={told} "
                                           f"kept={kept}", editors=1)
    finally:
        other.close()
    assert told and kept
