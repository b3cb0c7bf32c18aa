"""Secrets and privacy with vendor sync: three integrations with known, distinctive tokens
(GitHub Copilot and Figma's SCIM from a loopback vendor, and an installed third-party plugin
that crashes), synced well and then made to fail — a 401 whose body echoes the token, a 503
whose body echoes it too, a plugin that crashes with the token and a person's email in its
exception, a kill -9 in the middle of a sync — through the command line as a user runs it,
under the common umask 022.

Then every place stackadmin writes is searched for each token (whole, URL-encoded or
base64'd): the database (its file, -wal and -shm; on PostgreSQL every row of every table),
its backups, everything under the data folder (logs/crash.log, logs/stackadmin.log), the
home folder (settings), every export, and every output of `--json`. None may hold one, and
the logs hold no person's email. The files stackadmin made are private (0600, folders
0700). The scan is not blind: each token was really used (the vendor received it, the
keyring holds it), and a planted copy is found.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from stackadmin.cli import build_parser
from stackadmin.domain.vocab import AuditSource
from stackadmin.errors import UserError
from stackadmin.plugins.redact import Redactor
from stackadmin.plugins.testing import FakeVendor, Reply, write_distribution
from stackadmin.services.context import open_context
from stackadmin.services.inventory import terms, tools
from stackadmin.services.sync import engine, integrations
from stackadmin.store.engine import make_engine, resolve_target
from tests.reliability.conftest import Report
from tests.reliability.helpers import BAD_WORDS, cli, run_cli
from tests.reliability.sync.conftest import SecretService
from tests.services.sync.conftest import BILLING, SEATS, body, scim_user, seat

SECTION = "secrets and privacy"
TOKENS = {"Copilot acme": "ghp_PrivacyCopilotT0ken5e3c7a91d0b2",
          "Figma SCIM": "scim-PrivacyFigmaT0ken-4b1f0e2a77c9",
          "Crashy": "crashy-PrivacyT0ken-9d8c7b6a5f4e3d2c"}
USERS = "/scim/v2/Users"
CRASHY_USERS = "/crashy/users"
# A third-party plugin with a bug: it fails on the vendor's first user, and its exception
# carries that user's email and the token (the host must keep the token out; the crash log
# keeps no email).
CRASHY = '''
from stackadmin.plugins.api import BearerToken, CheckResult, Option, OptionKind, Plugin, Secret


class Crashy(Plugin):
    id = "crashy"
    name = "Crashy"
    options = (Option("base_url", "API root", required=True, kind=OptionKind.URL),)
    secret = Secret("API token")

    def check(self, ctx):
        return CheckResult("token accepted")

    def fetch(self, ctx):
        http = ctx.http.bind(auth=BearerToken(ctx.reveal_secret()))
        users = http.get_json(ctx.option("base_url").rstrip("/") + "/users")
        raise RuntimeError(f"cannot map {users[0]['email']} (token {ctx.reveal_secret()})")
        yield
'''


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)  # children inherit it
    yield
    os.umask(old)


def _forms(token: str) -> list[bytes]:
    return [form.encode() for form in Redactor([token]).secrets()]


def _serve_good(vendor: FakeVendor) -> None:
    vendor.add(BILLING, body("github_copilot_billing.json"))
    seats = [seat(n) for n in range(6)]
    vendor.link_pages(SEATS, seats, per_page=2,
                      wrap=lambda page: {"total_seats": len(seats), "seats": page})
    vendor.scim_users(USERS, [scim_user(n) for n in range(4)], max_count=2)
    vendor.add(CRASHY_USERS, [{"email": "grace.hopper@example.com"}])


def _serve_faults(vendor: FakeVendor) -> None:
    vendor.add(SEATS, Reply.error(401, f"Bad credentials: token {TOKENS['Copilot acme']} "
                                       "was revoked"))
    vendor.add(USERS, Reply.error(503, f"upstream refused {TOKENS['Figma SCIM']}",
                                  headers={"Retry-After": "0"}))


def _add(db: str, plugin: str, name: str, tool: str, options: dict[str, str],
         env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`stackadmin integrations add ... --secret-stdin` with the token on standard input."""
    sets = [arg for key, value in options.items() for arg in ("--set", f"{key}={value}")]
    return subprocess.run(
        [sys.executable, "-m", "stackadmin", *(["--db", db] if db else []), "integrations",
         "add", plugin, "--name", name, "--tool", tool, *sets, "--secret-stdin"],
        input=TOKENS[name] + "\n", capture_output=True, text=True, timeout=60,
        env={**os.environ, **env})


def _export_kinds() -> list[str]:
    """Every `stackadmin export` action there is."""
    for action in build_parser()._subparsers._group_actions:  # type: ignore[union-attr]
        if isinstance(action, argparse._SubParsersAction) and "export" in action.choices:
            export = action.choices["export"]
            for sub in export._subparsers._group_actions:  # type: ignore[union-attr]
                if isinstance(sub, argparse._SubParsersAction):
                    return sorted(sub.choices)
    raise AssertionError("no export command")


def _fail_in_the_app(url: str, keyring: SecretService) -> None:
    """The same failing syncs as the app runs them (the service, in this process), with
    the app's log file (logs/stackadmin.log) set up as the app does and turned to its most
    verbose level: every record stackadmin, the plugins and httpx make reaches it."""
    from stackadmin import app

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    app._log_to_file()
    handlers = [h for h in root.handlers if h not in before]
    assert handlers, "the app set up no log file"
    for handler in handlers:
        handler.setLevel(logging.DEBUG)
    root.setLevel(logging.DEBUG)
    ctx = open_context(url, source=AuditSource.UI)
    try:
        for name in TOKENS:
            assert not engine.sync(ctx, name, secrets=keyring.store).ok
    finally:
        ctx.close()
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)


def _json_outputs(db: list[str]) -> dict[str, str]:
    """The `--json` outputs that describe integrations, runs and seats."""
    outputs = {}
    for args in (["integrations", "list", "--json"], ["plugins", "list", "--json"],
                 ["utilization", "--json"],
                 *(["integrations", "history", name, "--json"] for name in TOKENS)):
        code, out, err = cli(*db, *args)
        assert code == 0, (args, err)
        outputs[" ".join(args)] = out
    return outputs


def _database_rows(url: str) -> bytes:
    """Every row of every table, as text (PostgreSQL: there is no file to read)."""
    engine = make_engine(resolve_target(url))
    try:
        with engine.connect() as conn:
            return "\n".join(repr(row) for table in inspect(conn).get_table_names()
                             for row in conn.execute(text(f'SELECT * FROM "{table}"'))
                             ).encode()
    finally:
        engine.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _emails(url: str) -> set[str]:
    engine = make_engine(resolve_target(url))
    try:
        with engine.connect() as conn:
            return {r[0] for r in conn.execute(text(
                "SELECT email FROM person UNION SELECT email FROM account")) if r[0]}
    finally:
        engine.dispose()


@pytest.mark.usefixtures("umask_022")
def test_no_token_anywhere_and_no_email_in_the_logs(
        db_kind: str, pg_admin_url: str | None, db_url: str, tmp_path: Path,
        keyring_env: SecretService, monkeypatch: pytest.MonkeyPatch,
        reliability: Report) -> None:
    section = reliability.section(SECTION, db_kind)
    data = tmp_path / "fresh" / "stackadmin-data"  # made by the first command
    monkeypatch.setenv("STACKADMIN_DATA_DIR", str(data))
    db = "" if db_kind == "sqlite" else db_url  # SQLite: the data folder's own database
    url = str(data / "stackadmin.sqlite") if db_kind == "sqlite" else db_url
    site = tmp_path / "site"
    write_distribution(site, "crashy-stackadmin", {"crashy": "crashy_stackadmin:Crashy"},
                       modules={"crashy_stackadmin": CRASHY})
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(site),
                                                       os.environ.get("PYTHONPATH")]))}
    monkeypatch.setenv("PYTHONPATH", env["PYTHONPATH"])
    try:
        outputs: dict[str, str] = {}
        with FakeVendor() as vendor:
            _serve_good(vendor)
            # The first through the command line (it makes the data folder), the others
            # through the service, as the app adds them.
            added = _add(db, "github-copilot", "Copilot acme", "GitHub Copilot",
                         {"org": "acme", "base_url": vendor.url}, env)
            assert added.returncode == 0, added.stderr
            monkeypatch.syspath_prepend(str(site))
            ctx = open_context(url)
            try:
                for plugin, name, tool, options in (
                        ("scim", "Figma SCIM", "Figma", {"base_url": vendor.url + "/scim/v2"}),
                        ("crashy", "Crashy", "Crashy", {"base_url": vendor.url + "/crashy"})):
                    integrations.add_integration(ctx, plugin, name, tool, options,
                                                 TOKENS[name], secrets=keyring_env.store)
            finally:
                ctx.close()
            good = run_cli(["sync", "Copilot acme", "Figma SCIM", "--json"], db=db)
            assert good.code == 0, good.err
            outputs["sync --json (good)"] = good.out + good.err
            _serve_faults(vendor)
            for args in (["sync"], ["sync", "--json"]):
                failed = run_cli(args, db=db)
                assert failed.code == 1 and failed.clean(), failed.err
                outputs[" ".join(args) + " (failing)"] = failed.out + failed.err
            said = failed.err
            assert "the token was rejected (HTTP 401" in said and "HTTP 503" in said
            assert "the plugin 'crashy' failed (RuntimeError" in said
            _fail_in_the_app(url, keyring_env)
            # A sync killed mid-way (its -wal left as it was).
            _serve_good(vendor)
            run_cli(["sync", "Copilot acme"], db=db, kill_after=0.05)
            used = {name: any(token in r.headers.get("authorization", "")
                              for r in vendor.requests) for name, token in TOKENS.items()}
        assert used == dict.fromkeys(TOKENS, True), used

        # A dated term, so that the calendar has an event to write (it writes no empty one).
        ctx = open_context(url)
        try:
            figma = next(t for t in tools.list_tools(ctx) if t.name == "Figma")
            terms.create_term(ctx, tool_id=figma.id, currency="USD", unit_price="10", seats=5,
                              renewal_date=date(2027, 6, 30))
        finally:
            ctx.close()
        dbs = ["--db", db] if db else []
        exports = tmp_path / "exports"
        exports.mkdir()
        for kind in _export_kinds():
            code, _out, err = cli(*dbs, "export", kind, str(exports / f"{kind}.out"))
            assert code == 0, (kind, err)
        if db_kind == "sqlite":
            code, _out, err = cli("db", "backup")
            assert code == 0, err
        outputs.update(_json_outputs(dbs))
        emails = _emails(url) | {"grace.hopper@example.com"}  # the crashing plugin's user
        assert {"user0@example.com", "user1@example.com"} <= emails

        files = [p for folder in (tmp_path, Path.home()) for p in folder.rglob("*")
                 if p.is_file() and site not in p.parents]
        scanned = {p.name for p in files}
        wanted = {"crash.log", "stackadmin.log", *(f"{kind}.out" for kind in _export_kinds())}
        if db_kind == "sqlite":
            wanted |= {"stackadmin.sqlite"}
            assert any(n.startswith("stackadmin.manual-backup-") for n in scanned), scanned
        assert wanted <= scanned, wanted - scanned
        places: dict[str, bytes] = {str(p.relative_to(tmp_path) if tmp_path in p.parents else p):
                                    p.read_bytes() for p in files}
        places.update({f"output of {k}": v.encode() for k, v in outputs.items()})
        if db_kind == "postgresql":
            places["the PostgreSQL database"] = _database_rows(url)
        for name, token in TOKENS.items():
            found = [where for where, content in places.items()
                     if any(form in content for form in _forms(token))]
            section.record(not found, what=f"the token of {name} found in {found}",
                           places_searched=len(places) if name == "Copilot acme" else 0)
            assert keyring_env.store.backend.get_password("stackadmin", _ref(url, name)) == token
        logs = [p for p in files if p.parent.name == "logs"]
        leaked = [(p.name, e) for p in logs for e in emails if e.encode() in p.read_bytes()]
        section.record(not leaked, what=f"emails in the logs: {leaked}")
        for where, content in outputs.items():
            assert not any(word in content for word in BAD_WORDS), where

        # The scan sees a token where there is one.
        (data / "logs" / "planted.log").write_text(f"x {TOKENS['Crashy']} x", encoding="utf-8")
        assert any(form in (data / "logs" / "planted.log").read_bytes()
                   for form in _forms(TOKENS["Crashy"]))
        (data / "logs" / "planted.log").unlink()

        checks = {"data folder": (data, 0o700), "logs folder": (data / "logs", 0o700),
                  "crash.log": (data / "logs" / "crash.log", 0o600),
              "stackadmin.log": (data / "logs" / "stackadmin.log", 0o600)}
        if db_kind == "sqlite":
            checks |= {"database": (data / "stackadmin.sqlite", 0o600),
                       "backup": (next(data.glob("stackadmin.manual-backup-*")), 0o600)}
            for suffix in ("-wal", "-shm"):
                if Path(f"{url}{suffix}").exists():
                    checks[suffix] = (Path(f"{url}{suffix}"), 0o600)
        for kind in _export_kinds():
            checks[f"{kind} export"] = (exports / f"{kind}.out", 0o600)
        wrong = {name: oct(_mode(path)) for name, (path, mode) in checks.items()
                 if _mode(path) != mode}
        for name in checks:
            section.record(name not in wrong, what=f"mode of {name}: {wrong.get(name)}",
                           modes_checked=1)
        assert not section.failures, section.failures

    finally:
        ctx = open_context(url)
        try:
            for name in TOKENS:
                with contextlib.suppress(UserError):
                    integrations.remove_integration(ctx, name, secrets=keyring_env.store)
        finally:
            ctx.close()


def _ref(url: str, name: str) -> str:
    engine = make_engine(resolve_target(url))
    try:
        with engine.connect() as conn:
            ref: Any = conn.execute(text("SELECT secret_ref FROM integration WHERE name = :n"),
                                    {"n": name}).scalar_one()
            return str(ref)
    finally:
        engine.dispose()
