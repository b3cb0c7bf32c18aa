"""The reliability sections that run the vendor-sync engine: every built-in plugin with its
loopback fake vendor (the plugin tests' own cases, so a new built-in plugin joins by being
added there), a real Secret Service keyring that child processes share with the test, and
the rows a sync writes, to compare before and after.

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

from stackadmin.plugins.testing import FakeVendor
from stackadmin.secrets import SecretStore
from tests.plugins import test_builtin_faults
from tests.plugins.conftest import SECRET
from tests.reliability.databases import Rows, read_rows

Route = tuple[str, dict[str, str]]

# What a sync writes, and must leave exactly as it was when it fails.
SYNCED = {
    "account": "SELECT * FROM account ORDER BY id",
    "account_listing": "SELECT * FROM account_listing ORDER BY account_id, integration_id",
    "vendor_seat_count": "SELECT * FROM vendor_seat_count ORDER BY id",
    "person": "SELECT * FROM person ORDER BY id",
}


@dataclass(frozen=True)
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
    """Every built-in plugin the plugin tests serve from a fake vendor."""
    cases = list(test_builtin_faults.CASES)
    with contextlib.suppress(ImportError):  # the second set of vendors, where it is built in
        from tests.plugins import test_vendor_faults  # type: ignore[attr-defined,unused-ignore]

        cases += list(test_vendor_faults.CASES)
    return [_built_in(case) for case in cases]


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
