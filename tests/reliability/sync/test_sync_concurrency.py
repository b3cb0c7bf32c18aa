"""Concurrency with vendor sync: `stackadmin sync` running while another command-line process
imports people into the same database (a SQLite file, or PostgreSQL with --pg-url).

Both children load their modules, then begin at one instant (launcher.py), so that the
import's write lands while the sync fetches its pages or writes its accounts. Neither may
fail or say "database is locked" (a busy database waits); the sync writes exactly what a
sync alone writes, and every imported person is there.
"""

from __future__ import annotations

import time
from pathlib import Path
from subprocess import Popen

from stackadmin.plugins.testing import FakeVendor
from stackadmin.services.context import open_context
from stackadmin.services.sync import engine
from tests.reliability.conftest import Report
from tests.reliability.databases import databases, read_rows, scalar
from tests.reliability.helpers import BAD_WORDS, start_cli
from tests.reliability.sync.conftest import COPILOT, SYNCED_SEATS, SecretService

SECTION = "concurrency"
ROUNDS = {"sqlite": 2, "postgresql": 1}
START_DELAY = 2.5  # seconds for the children to load their modules before the common start
PEOPLE = 600


def _together(commands: list[list[str]], url: str) -> list[tuple[int, str, str]]:
    at = f"{time.time() + START_DELAY:.3f}"
    children: list[Popen[str]] = [start_cli(c, db=url, env={"RELIABILITY_START_AT": at})
                                  for c in commands]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        results.append((child.returncode, out, err))
    return results


def test_a_sync_while_another_process_imports(
        db_kind: str, pg_admin_url: str | None, tmp_path: Path,
        keyring_env: SecretService, reliability: Report) -> None:
    section = reliability.section(SECTION, db_kind)
    failed_before = len(section.failures)
    people = tmp_path / "people.csv"
    people.write_text("email,name,department\n" + "".join(
        f"imported{n}@example.com,Imported {n},Research\n" for n in range(PEOPLE)),
        encoding="utf-8")
    with FakeVendor() as vendor, databases(db_kind, tmp_path, pg_admin_url) as dbs:
        dbs.create_base(lambda url: COPILOT.prepare(url, vendor, keyring_env))
        try:
            alone = dbs.copy("alone")
            ctx = open_context(alone)
            try:
                assert engine.sync(ctx, COPILOT.name, secrets=keyring_env.store).ok
            finally:
                ctx.close()
            wanted = read_rows(alone, SYNCED_SEATS)
            people_before = scalar(dbs.base, "SELECT count(*) FROM person")
            for n in range(ROUNDS[db_kind]):
                url = dbs.copy(f"round{n}")
                results = _together([["sync", COPILOT.name], ["import", "people", str(people)]],
                                    url)
                problems = [f"exit {code}: {err.strip()}" for code, _out, err in results
                            if code != 0]
                problems += [f"said {word!r}" for _code, out, err in results
                             for word in BAD_WORDS if word in out + err]
                if read_rows(url, SYNCED_SEATS) != wanted:
                    problems.append("the sync wrote other accounts than a sync alone")
                imported = scalar(url, "SELECT count(*) FROM person WHERE email LIKE "
                                       "'imported%'")
                lost = PEOPLE - imported
                if scalar(url, "SELECT count(*) FROM person") != people_before + PEOPLE:
                    problems.append(f"{imported} of {PEOPLE} people imported")
                section.record(not problems, rows_lost=max(lost, 0),
                               what=f"a sync and an import, round {n}: {problems}",
                               syncs_beside_an_import=1)
        finally:
            COPILOT.forget(dbs.base, keyring_env)
    assert not section.failures[failed_before:], section.failures
