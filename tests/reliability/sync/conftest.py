"""The reliability sections that run the vendor-sync engine: every built-in plugin with its
loopback fake vendor (the plugin tests' own fault cases; a built-in plugin missing there
fails the suite), a real Secret Service keyring that child processes share with the test,
and the rows a sync writes, to compare before and after.

Child processes (the command line as a user runs it) need the integration's secret in a
keyring they can read too. CI runs the suite inside a D-Bus session with gnome-keyring
unlocked and that one is used; elsewhere the session fixture starts a private D-Bus daemon
and gnome-keyring for the run (and ends them), so the sections run the same everywhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stackadmin.plugins.registry import load_registry
from stackadmin.plugins.testing import FakeVendor, Reply
from stackadmin.secrets import SecretStore
from stackadmin.services.context import open_context
from stackadmin.services.sync import engine, integrations
from tests.plugins import test_faults
from tests.plugins.conftest import SECRET
from tests.reliability.databases import Rows, read_rows
from tests.services.sync.conftest import BILLING, SEATS, body, seat

Route = tuple[str, dict[str, str]]

# What a sync writes, and must leave exactly as it was when it fails.
SYNCED = {
    "account": "SELECT * FROM account ORDER BY id",
    "account_listing": "SELECT * FROM account_listing ORDER BY account_id, integration_id",
    "vendor_seat_count": "SELECT * FROM vendor_seat_count ORDER BY id",
    "person": "SELECT * FROM person ORDER BY id",
}


@dataclass(frozen=True, eq=False)  # each one is itself (a dict key)
class BuiltIn:
    """One built-in plugin and how its fake vendor serves it: a main listing of 250
    accounts in three pages (`listing`, then `page2`, ...), `repeat` makes that listing ask
    for a page it read already."""

    plugin_id: str
    options: Callable[[FakeVendor], dict[str, str]]
    serve: Callable[[FakeVendor], None]
    listing: Route
    page2: Route
    repeat: Callable[[FakeVendor], None]
    secret: str
    accounts: int = 250

    def __str__(self) -> str:
        return self.plugin_id

    @property
    def tool(self) -> str:
        return f"{self.plugin_id} tool"

    @property
    def integration(self) -> str:
        return f"{self.plugin_id} at acme"


def _built_in(case: Any) -> BuiltIn:
    return BuiltIn(case.plugin.id, case.options, case.serve, case.listing, case.page2,
                   case.repeat, getattr(case, "secret", SECRET))


def built_in_plugins() -> list[BuiltIn]:
    """Every built-in plugin, as the plugin tests serve it from a fake vendor."""
    cases = test_faults.CASES
    built_in = [_built_in(case) for case in cases]
    registered = {info.id for info in load_registry().plugins()
                  if info.entry_point.startswith("stackadmin.plugins.builtin.")}
    missing = registered - {plugin.plugin_id for plugin in built_in}
    assert not missing, f"built-in plugins without a fake vendor here: {sorted(missing)}"
    return built_in


BUILT_IN = built_in_plugins()


def state(url: str) -> Rows:
    return read_rows(url, SYNCED)


def lost_rows(before: Rows, after: Rows) -> int:
    """Rows of `before` (by id; listings by account and integration) gone from `after`."""
    lost = 0
    for name, rows in before.items():
        key = (lambda row: row[:2]) if name == "account_listing" else (lambda row: row[0])
        have = {key(row) for row in after.get(name, [])}
        lost += sum(1 for row in rows if key(row) not in have)
    return lost


# -- a Secret Service for the test and its children -------------------------------------------

@dataclass(frozen=True)
class SecretService:
    """A real Secret Service keyring: `env` for the children (its D-Bus address), `store`
    for this process."""

    env: dict[str, str]
    store: SecretStore


def _secret_service_backend() -> Any:
    from keyring.backends import SecretService as backend

    return backend.Keyring()


def _answers(env: dict[str, str]) -> bool:
    """True when a Secret Service answers on the D-Bus session of `env`."""
    old = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = env["DBUS_SESSION_BUS_ADDRESS"]
    try:
        keyring = _secret_service_backend()
        keyring.set_password("stackadmin-reliability", "probe", "probe")
        keyring.delete_password("stackadmin-reliability", "probe")
        return True
    except Exception:
        return False
    finally:
        if old is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = old


@contextlib.contextmanager
def _private_session(folder: Path) -> Iterator[dict[str, str]]:
    """A D-Bus session daemon and an unlocked gnome-keyring on it, for this run only."""
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        raise RuntimeError("dbus-daemon and gnome-keyring-daemon are not installed")
    home = folder / "home"
    runtime = folder / "run"
    home.mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_RUNTIME_DIR": str(runtime)}
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                           env=env)
    daemons = [bus]
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        keyring = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            text=True, env=env)
        daemons.append(keyring)
        assert keyring.stdin is not None
        keyring.stdin.write("reliability")
        keyring.stdin.close()
        child_env = {"DBUS_SESSION_BUS_ADDRESS": address}
        deadline = time.monotonic() + 10
        while not _answers(child_env):
            if time.monotonic() > deadline:
                raise RuntimeError("gnome-keyring did not start")
            time.sleep(0.05)
        yield child_env
    finally:
        for daemon in reversed(daemons):
            daemon.terminate()
            try:
                daemon.wait(5)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    """The session's Secret Service when it has one (CI), else a private one; skipped where
    neither can be had, and a failure in CI."""
    current = {"DBUS_SESSION_BUS_ADDRESS": os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")}
    with contextlib.ExitStack() as stack:
        if not (current["DBUS_SESSION_BUS_ADDRESS"] and _answers(current)):
            try:
                current = stack.enter_context(
                    _private_session(tmp_path_factory.mktemp("secret-service")))
            except (RuntimeError, OSError) as exc:
                if os.environ.get("CI"):
                    pytest.fail(f"CI must provide a Secret Service keyring: {exc}")
                pytest.skip(f"no Secret Service keyring here ({exc})")
        yield SecretService(current, SecretStore(_secret_service_backend()))


@pytest.fixture
def keyring_env(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch
                ) -> SecretService:
    """The Secret Service for this test: this process and every child it starts use it."""
    for name, value in secret_service.env.items():
        monkeypatch.setenv(name, value)
    return secret_service


# -- a GitHub Copilot organisation, yesterday and today -------------------------------------

# What a sync of it writes, without the moments of the run itself (a new account's first
# sighting is the moment of the run that found it): the same for every complete run.
SYNCED_SEATS = {
    "account": "SELECT external_id, email, username, role, status, license_tier, "
               "last_activity, pending_cancellation, billable, integration_id "
               "FROM account ORDER BY external_id",
    "account_listing": "SELECT a.external_id, l.integration_id FROM account_listing l "
                       "JOIN account a ON a.id = l.account_id ORDER BY 1",
    "vendor_seat_count": "SELECT label, purchased, consumed, pending_cancellation, "
                         "pending_invitation, active FROM vendor_seat_count ORDER BY 1",
}


@dataclass(frozen=True)
class Yesterday:
    """A Copilot organisation synced yesterday (1,000 seats) whose vendor lists today 50
    seats fewer, 100 new ones and about 200 with newer activity or another plan, 100 seats
    a page, each page after `pause` seconds (a sync takes a while, as with a real vendor)."""

    name: str = "Copilot acme"
    token: str = "ghp_ReliabilityCopilotT0ken0f1e2d3c"
    pause: float = 0.02
    per_page: int = 100

    @staticmethod
    def seats() -> list[dict[str, Any]]:
        return [seat(n, last_activity_at=f"2026-11-{1 + n % 20:02d}T08:00:00Z")
                for n in range(1000)]

    @classmethod
    def today(cls) -> list[dict[str, Any]]:
        seats = [s for n, s in enumerate(cls.seats()) if n % 20 != 7]  # 50 gone
        for n, made in enumerate(seats):
            if n % 7 == 0:
                made["last_activity_at"] = "2026-11-24T17:30:00Z"
            if n % 13 == 0:
                made["plan_type"] = "enterprise"
        return seats + [seat(n) for n in range(1000, 1100)]

    def serve(self, vendor: FakeVendor, seats: list[dict[str, Any]], pause: float) -> None:
        """The seats in pages with Link headers (the route added last answers: today's
        list replaces yesterday's)."""
        pages = [seats[i:i + self.per_page] for i in range(0, len(seats), self.per_page)]

        def answer(request: Any) -> Reply:
            number = int(request.param("page") or 1)
            headers = {}
            if number < len(pages):
                query = {k: v[-1] for k, v in request.query.items()}
                query["page"] = str(number + 1)
                headers["Link"] = f'<{vendor.url_for(SEATS, **query)}>; rel="next"'
            reply = Reply.json({"total_seats": len(seats), "seats": pages[number - 1]},
                               headers=headers)
            return reply.after(pause) if pause else reply

        vendor.add(SEATS, answer)

    def prepare(self, url: str, vendor: FakeVendor, keyring: SecretService) -> None:
        """Yesterday in the database at `url`: the integration (its token in the keyring)
        and a complete sync. Then the vendor serves today's list."""
        vendor.add(BILLING, body("github_copilot_billing.json"))
        self.serve(vendor, self.seats(), 0)
        ctx = open_context(url)
        try:
            integrations.add_integration(ctx, "github-copilot", self.name, "GitHub Copilot",
                                         {"org": "acme", "base_url": vendor.url}, self.token,
                                         secrets=keyring.store)
            result = engine.sync(ctx, self.name, secrets=keyring.store)
            assert result.ok and result.added == 1000, result.summary()
        finally:
            ctx.close()
        self.serve(vendor, self.today(), self.pause)

    def forget(self, url: str, keyring: SecretService) -> None:
        """Removes the integration and its token from the keyring."""
        ctx = open_context(url)
        try:
            integrations.remove_integration(ctx, self.name, secrets=keyring.store)
        finally:
            ctx.close()


COPILOT = Yesterday()
