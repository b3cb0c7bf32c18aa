"""`stackadmin integrations ...` and `stackadmin sync` as a user runs them, against a
loopback GitHub, with the secret in the real OS keyring (gnome-keyring under D-Bus in CI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import select

from stackadmin import paths
from stackadmin.plugins.testing import FakeVendor, Reply
from stackadmin.services.context import open_context
from stackadmin.store.models import Integration, SyncRun
from tests.cli.conftest import Result, Run
from tests.services.sync.conftest import BILLING, SEATS, body, seat

TOKEN = "ghp_CliSyncT0kenThatMustNotLeak42"


@pytest.fixture
def os_keyring() -> None:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "Plaintext" in type(backend).__name__:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a real keyring (gnome-keyring in a D-Bus session)")
        pytest.skip("no OS keyring in this session (CI runs one)")


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    with FakeVendor() as fake:
        fake.add(BILLING, body("github_copilot_billing.json"))
        seats = [seat(n) for n in range(5)]
        fake.link_pages(SEATS, seats, per_page=2,
                        wrap=lambda page: {"total_seats": len(seats), "seats": page})
        yield fake


def with_stdin(db_url: str, text: str, *args: str) -> Result:
    proc = subprocess.run([sys.executable, "-m", "stackadmin", "--db", db_url, *args],
                          input=text, capture_output=True, text=True, timeout=300)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def add(db_url: str, vendor: FakeVendor, name: str = "Copilot", org: str = "acme") -> Result:
    return with_stdin(db_url, TOKEN + "\n", "integrations", "add", "github-copilot",
                      "--name", name, "--tool", "GitHub Copilot", "--set", f"org={org}",
                      "--set", f"base_url={vendor.url}", "--secret-stdin")


def secret_refs(db_url: str) -> list[str]:
    ctx = open_context(db_url)
    try:
        with ctx.read() as session:
            return [r for r in session.scalars(select(Integration.secret_ref)) if r]
    finally:
        ctx.close()


def test_add_test_sync_and_remove_with_the_os_keyring(
        run: Run, db_url: str, vendor: FakeVendor, os_keyring: None) -> None:
    added = add(db_url, vendor)
    assert added.code == 0, added.err
    assert "added integration Copilot (github-copilot) feeding GitHub Copilot" in added.out
    [ref] = secret_refs(db_url)
    try:
        assert keyring.get_password("stackadmin", ref) == TOKEN
        tested = run("integrations", "test", "copilot")
        assert tested.code == 0 and "token accepted" in tested.out
        dry = run("sync", "--dry-run")
        assert dry.code == 0, dry.err
        assert "dry run, would change: 5 added" in dry.out
        assert "  + user0@example.com: role member, status active" in dry.out.splitlines()
        synced = run("sync")
        assert synced.code == 0, synced.err
        assert synced.out.strip() == ("Copilot: 5 added, 0 changed, 0 deprovisioned, "
                                      "0 unchanged (3 pages)")
        pages = [line for line in synced.err.splitlines() if "page" in line]
        assert pages == [f"Copilot: the Copilot seats of the organisation 'acme': page {n}, "
                         f"{min(2 * n, 5)} of 5" for n in (1, 2, 3)]
        # Named twice (in another case too): one run.
        again = run("sync", "Copilot", "copilot", "--json")
        [result] = json.loads(again.out)
        assert (result["status"], result["added"], result["unchanged"], result["pages"]) == (
            "ok", 0, 5, 3)
        listed = json.loads(run("integrations", "list", "--json").out)
        [row] = listed["integrations"]
        assert (row["name"], row["last_status"], row["plugin_status"]) == ("Copilot", "ok", "ok")
        assert listed["broken_plugins"] == []
        figures = json.loads(run("utilization", "--json").out)[0]
        assert (figures["vendor_seats_purchased"], figures["vendor_seats_consumed"]) == (12, 12)
        history = run("integrations", "history", "Copilot")
        assert history.code == 0 and "ok (dry run)" in history.out
        removed = run("integrations", "remove", "Copilot")
        assert removed.code == 0 and "and its secret" in removed.out
        assert keyring.get_password("stackadmin", ref) is None
        for path in [*paths.data_dir().rglob("*"), Path(db_url)]:
            if path.is_file():
                assert TOKEN.encode() not in path.read_bytes(), path
        for output in (added, tested, dry, synced, again, history, removed):
            assert TOKEN not in output.out + output.err
    finally:
        if keyring.get_password("stackadmin", ref) is not None:
            keyring.delete_password("stackadmin", ref)


def test_one_line_per_failure_and_exit_1(run: Run, db_url: str, vendor: FakeVendor,
                                         os_keyring: None) -> None:
    assert add(db_url, vendor).code == 0
    assert add(db_url, vendor, "Broken", org="nobody").code == 0
    vendor.add("/orgs/nobody/copilot/billing", Reply.error(404, "Not Found"))
    try:
        result = run("sync")
        assert result.code == 1
        assert "Copilot: 5 added" in result.out  # the other one still synced
        errors = [line for line in result.err.splitlines() if line.startswith("stackadmin:")]
        assert errors == ["stackadmin: error: Broken: failed: Copilot for the organisation "
                          "'nobody' could not be found, or the token cannot see it (HTTP 404 "
                          f"on GET {vendor.url}/orgs/nobody/copilot/billing): \"Not Found\""]
        tested = run("integrations", "test", "Broken")
        assert tested.code == 1 and tested.err.startswith("stackadmin: error: Broken: ")
    finally:
        for ref in secret_refs(db_url):
            keyring.delete_password("stackadmin", ref)


def test_sync_due_runs_only_what_is_due(run: Run, db_url: str, vendor: FakeVendor,
                                        os_keyring: None) -> None:
    assert add(db_url, vendor).code == 0
    try:
        first = run("sync", "--due")
        assert (first.code, first.out) == (0, "")  # a first sync is started by hand
        assert run("sync", "Copilot").code == 0
        assert run("sync", "--due", "--json").out.strip() == "[]"
        ctx = open_context(db_url)
        try:
            with ctx.transaction() as session:
                for row in session.scalars(select(Integration)):
                    row.last_success_at -= timedelta(days=2)
                for done in session.scalars(select(SyncRun)):
                    done.started_at -= timedelta(days=2)
        finally:
            ctx.close()
        due = run("sync", "--due")
        assert due.code == 0 and due.out.startswith("Copilot: 0 added")
        assert "page" not in due.err  # no progress lines for cron (not a terminal)
    finally:
        for ref in secret_refs(db_url):
            keyring.delete_password("stackadmin", ref)


def test_bad_input_is_told_in_words_and_changes_nothing(run: Run, db_url: str) -> None:
    unknown = with_stdin(db_url, "x\n", "integrations", "add", "gitlab", "--name", "x",
                         "--tool", "GitLab", "--secret-stdin")
    assert unknown.code == 1
    assert unknown.err.strip() == (
        "stackadmin: error: no plugin 'gitlab' is installed (installed: atlassian, github, "
        "github-copilot, google-workspace, microsoft365, okta, scim, slack, zoom)")
    options = with_stdin(db_url, "x\n", "integrations", "add", "github", "--name", "x",
                         "--tool", "GitHub", "--set", "base_url=http://github.example.com",
                         "--secret-stdin")
    assert options.code == 1
    assert "option 'org' (Organisation) is required" in options.err
    assert "plain HTTP" in options.err
    no_secret = run("integrations", "add", "github", "--name", "x", "--tool", "GitHub",
                    "--set", "org=acme")
    assert no_secret.code == 1 and "--secret-stdin" in no_secret.err
    as_argument = run("integrations", "add", "github", "--name", "x", "--tool", "GitHub",
                      "--secret", "ghp_x")
    assert as_argument.code == 2  # there is no way to pass a secret as an argument
    if "://" not in db_url:
        assert not Path(db_url).exists()  # no database made for an integration refused
    listed = run("integrations", "list")
    assert listed.code == 1 and "there is no database" in listed.err
    assert run("db", "upgrade").code == 0
    assert json.loads(run("integrations", "list", "--json").out)["integrations"] == []
    nothing = run("sync")
    assert nothing.code == 0 and "no integrations are set up" in nothing.out
    missing = run("sync", "nope")
    assert missing.code == 1 and "there is no integration named 'nope'" in missing.err
