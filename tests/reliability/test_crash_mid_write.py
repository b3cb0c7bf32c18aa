"""Crash mid-write: `kill -9` at random points of an import, the demo and a schema upgrade.

Each case runs the real command line in a child on a fresh copy of a prepared database and
kills it (SIGKILL, no chance to clean up) at a random moment: most while its write
transaction is open (a random delay after its BEGIN, up to somewhat past the moment its
commit came in a complete reference run), the rest at any moment from its start.
Afterwards the database must pass SQLite's integrity check and `stackadmin db check`, hold
either the state from before the command or the state a complete run leaves (never a mix),
and have lost no row. A fixed budget of cases per scenario keeps CI's time bounded; the
cases come from a seeded generator (conftest.SEED_ENV), so a failure replays.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from stackadmin.store.engine import make_engine, resolve_target
from stackadmin.store.migrate import head_revision, run_downgrade
from tests.reliability.conftest import Report
from tests.reliability.databases import Rows, databases, read_rows, rows_lost
from tests.reliability.helpers import Outcome, cli, integrity_ok, run_cli

SECTION = "crash mid-write"
# Cases per scenario (SQLite, PostgreSQL): about 1.5 s each.
BUDGET = {"import": (12, 5), "demo": (8, 3), "upgrade": (10, 4)}
IN_WRITE_SHARE = 0.75  # the rest are killed at any moment of the run


@dataclass(frozen=True)
class Scenario:
    name: str
    args: Callable[[Path], list[str]]
    prepare: Callable[[str, Path], None]
    queries: dict[str, str]
    keyed: tuple[str, ...]  # queries whose rows must never go missing


def _people_file(folder: Path) -> Path:
    """2,500 new people and 30 of the demo's people moving department."""
    path = folder / "people.csv"
    if not path.exists():
        lines = ["email,name,department,status"]
        lines += [f"new.person{n}@example.com,New Person {n},Research,active"
                  for n in range(2500)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _prepare_demo(url: str, folder: Path) -> None:
    assert cli("--db", url, "demo")[0] == 0
    # Thirty known people in the file too: the import updates them.
    code, out, _ = cli("--db", url, "export", "people", str(folder / "demo-people.csv"))
    assert code == 0, out
    known = (folder / "demo-people.csv").read_text("utf-8-sig").splitlines()[1:31]
    moved = [",".join([line.split(",")[0], "", "Moved", ""]) for line in known]
    path = _people_file(folder)
    path.write_text(path.read_text("utf-8") + "\n".join(moved) + "\n", encoding="utf-8")


def _prepare_empty(url: str, _folder: Path) -> None:
    assert cli("--db", url, "db", "upgrade")[0] == 0


def _prepare_old_schema(url: str, _folder: Path) -> None:
    """A database an older stackadmin wrote: the demo's rows at the first revision."""
    assert cli("--db", url, "demo")[0] == 0
    engine = make_engine(resolve_target(url))
    try:
        run_downgrade(engine, "0001")
    finally:
        engine.dispose()


# The adoption snapshot an import refreshes once it has committed is its own transaction
# (figures derived from the rows, taken again by `stackadmin snapshot`): not counted here.
AUDIT = ("SELECT action || ':' || entity, count(*) FROM audit_event "
         "WHERE action <> 'snapshot' GROUP BY action, entity ORDER BY 1")
SCENARIOS = {
    "import": Scenario(
        "import", lambda folder: ["import", "people", str(_people_file(folder))],
        _prepare_demo,
        {"person": "SELECT email, name, department, status, version FROM person ORDER BY 1",
         "audit_event": AUDIT},
        ("person",)),
    "demo": Scenario(
        "demo", lambda _folder: ["demo", "--seed", "11"], _prepare_empty,
        {"person": "SELECT email, name, department, status, end_date FROM person ORDER BY 1",
         "tool": "SELECT name, category, inactivity_days, owner_id FROM tool ORDER BY 1",
         "subscription_term": "SELECT id, tool_id, plan, unit_price_minor, currency, seats, "
                              "term_start, renewal_date, status, previous_term_id "
                              "FROM subscription_term ORDER BY 1",
         "account": "SELECT id, tool_id, external_id, email, role, status FROM account "
                    "ORDER BY 1",
         "exchange_rate": "SELECT currency, rate FROM exchange_rate ORDER BY 1",
         "audit_event": AUDIT},
        ()),
    "upgrade": Scenario(
        "upgrade", lambda _folder: ["db", "upgrade"], _prepare_old_schema,
        {"alembic_version": "SELECT version_num FROM alembic_version",
         "person": "SELECT id, email, name, department, status FROM person ORDER BY 1",
         "tool": "SELECT id, name, vendor_id, owner_id FROM tool ORDER BY 1",
         "subscription_term": "SELECT id, tool_id, plan, unit_price_minor, seats "
                              "FROM subscription_term ORDER BY 1",
         "account": "SELECT id, tool_id, person_id, email, status FROM account ORDER BY 1"},
        ("person", "tool", "subscription_term", "account")),
}


def _state(url: str, scenario: Scenario) -> Rows:
    return read_rows(url, scenario.queries)


def _schema_tables(url: str) -> set[str]:
    from sqlalchemy import inspect

    engine = make_engine(resolve_target(url))
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _kill_plan(rng: random.Random, reference: Outcome, total_seconds: float
               ) -> dict[str, float]:
    if rng.random() < IN_WRITE_SHARE:
        # From the write's BEGIN to somewhat past its commit (about a quarter of these
        # land after it: the new state must be whole too).
        return {"kill_after": rng.uniform(0.0, reference.write_seconds * 1.4)}
    return {"kill_before_write": rng.uniform(0.1, total_seconds)}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_kill_9_leaves_the_old_state_or_the_new_one(
        name: str, db_kind: str, pg_admin_url: str | None, tmp_path: Path,
        rng: random.Random, reliability: Report) -> None:
    import time

    scenario = SCENARIOS[name]
    budget = BUDGET[name][0 if db_kind == "sqlite" else 1]
    section = reliability.section(SECTION, db_kind)
    with databases(db_kind, tmp_path, pg_admin_url) as dbs:
        dbs.create_base(lambda url: scenario.prepare(url, tmp_path))
        args = scenario.args(tmp_path)
        before = _state(dbs.base, scenario)
        old_tables = _schema_tables(dbs.base)
        # A complete run: the state it leaves and how long its write takes.
        reference_db = dbs.copy("reference")
        started = time.monotonic()
        reference = run_cli(args, db=reference_db)
        total = time.monotonic() - started
        assert reference.code == 0 and reference.clean(), reference.err
        after = _state(reference_db, scenario)
        assert after != before
        for n in range(budget):
            url = dbs.copy(f"case{n}")
            plan = _kill_plan(rng, reference, total)
            outcome = run_cli(args, db=url, **plan)
            ok, lost, state = _check(url, scenario, outcome, before, after, old_tables,
                                     db_kind)
            section.record(ok, rows_lost=lost, what=f"{name} case {n} ({plan}): {state}",
                           **{f"{name} killed in a write": int(outcome.killed_in_write),
                              f"{name} found old": int(state.startswith("old")),
                              f"{name} found new": int(state.startswith("new"))})
    assert not section.failures, section.failures
    assert section.rows_lost == 0


def _check(url: str, scenario: Scenario, outcome: Outcome, before: Rows, after: Rows,
           old_tables: set[str], db_kind: str) -> tuple[bool, int, str]:
    """(passed, rows lost, what was found) for one killed (or finished) run."""
    problems: list[str] = []
    if not outcome.killed and (outcome.code != 0 or not outcome.clean()):
        problems.append(f"ran to its end but said {outcome.err.strip()!r}")
    if db_kind == "sqlite" and not integrity_ok(Path(url)):
        problems.append("integrity_check failed")
    state = _state(url, scenario)
    lost = rows_lost(before, state, scenario.keyed)
    which = "old" if state == before else "new" if state == after else "MIXED"
    if which == "MIXED":
        problems.append("the data is neither the old state nor the new one")
    if scenario.name == "upgrade":
        tables = _schema_tables(url)
        if which == "old" and tables != old_tables:
            problems.append(f"the old revision with other tables: {sorted(tables ^ old_tables)}")
        # The retry a user would run next must work, and leave no pile of backups.
        code, _out, err = cli("--db", url, "db", "upgrade")
        if code != 0:
            problems.append(f"the next upgrade failed: {err.strip()}")
        if db_kind == "sqlite":
            folder = Path(url).parent
            stem = Path(url).stem
            if len(list(folder.glob(f"{stem}.backup-*"))) > 5:
                problems.append("more than five automatic backups")
            if list(folder.glob(f".{stem}.backup-*")):
                problems.append("a half-written backup was left")
        if _state(url, scenario)["alembic_version"] != [(head_revision(),)]:
            problems.append("not at the head revision after the retry")
    code, out, err = cli("--db", url, "db", "check")
    if code != 0:
        problems.append(f"db check: {err.strip()} {out.strip()}")
    return not problems, lost, which + ("; " + "; ".join(problems) if problems else "")
