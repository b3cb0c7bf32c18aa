"""Sync tests: a loopback vendor per test serving GitHub, Copilot and SCIM bodies built from
the documented examples, an in-memory keyring, and a table dump to compare databases."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from stackadmin.plugins.http import RetryPolicy
from stackadmin.plugins.testing import FakeClock, FakeVendor
from stackadmin.secrets import SecretStore
from stackadmin.services.context import ServiceContext
from stackadmin.services.sync import engine, integrations

FIXTURES = Path(__file__).parents[2] / "plugins" / "fixtures"
SECRET = "ghp_SyncT3stSecretValue0987654321"
SEATS = "/orgs/acme/copilot/billing/seats"
BILLING = "/orgs/acme/copilot/billing"
MEMBERS = "/orgs/acme/members"
INVITATIONS = "/orgs/acme/invitations"
# The tables a sync writes (or must not write, when it fails).
TIMEOUT = httpx.Timeout(1.0, connect=1.0)  # a slow answer (`after(1.5)`) times out at once
TABLES = ("account", "account_listing", "person", "vendor_seat_count", "audit_event", "tool")


def body(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class MemoryKeyring:
    """A keyring backend's three calls, in memory (not a KeyringBackend subclass: keyring
    would find it and make it every later test's default)."""

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


def seat(n: int, **changes: Any) -> dict[str, Any]:
    """The documented Copilot seat, for user n (GitHub id 1000 + n, userN@example.com)."""
    made = copy.deepcopy(body("github_copilot_billing_seats.json")["seats"][0])
    made["assignee"].update(login=f"user{n}", id=1000 + n, email=f"user{n}@example.com")
    made.update(changes)
    return made


def member(n: int, **changes: Any) -> dict[str, Any]:
    made = copy.deepcopy(body("github_org_members.json")[0])
    made.update(login=f"user{n}", id=1000 + n, email=f"user{n}@example.com", **changes)
    return made


def scim_user(n: int, **changes: Any) -> dict[str, Any]:
    made = copy.deepcopy(body("scim_github_enterprise_Users.json")["Resources"][0])
    made.update(id=f"scim-{n}", userName=f"user{n}@example.com", displayName=f"User {n}",
                emails=[{"value": f"user{n}@example.com", "type": "work", "primary": True}])
    made.update(changes)
    return made


@dataclass
class Kit:
    """A database, a vendor on loopback and an in-memory keyring, with shortcuts."""

    ctx: ServiceContext
    vendor: FakeVendor
    keyring: MemoryKeyring = field(default_factory=MemoryKeyring)
    clock: FakeClock = field(default_factory=FakeClock)

    @property
    def secrets(self) -> SecretStore:
        return SecretStore(self.keyring)

    def settings(self, **extra: Any) -> dict[str, Any]:
        """What the engine hands the plugin runner: the fake clock, short timeouts."""
        return {"secrets": self.secrets, "timeout": TIMEOUT, "sleep": self.clock.sleep,
                "monotonic": self.clock.monotonic, "wallclock": self.clock.wallclock,
                "retry": RetryPolicy(max_attempts=4, max_wait=60, max_run_wait=120),
                **extra}

    def serve_copilot(self, seats: list[dict[str, Any]], per_page: int = 3) -> None:
        self.vendor.add(BILLING, body("github_copilot_billing.json"))
        self.vendor.link_pages(SEATS, seats, per_page=per_page,
                               wrap=lambda page: {"total_seats": len(seats), "seats": page})

    def serve_github(self, members: list[dict[str, Any]], owners: list[dict[str, Any]] = (),  # type: ignore[assignment]
                     invitations: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
        self.vendor.link_pages(MEMBERS, list(owners), per_page=2, query={"role": "admin"})
        self.vendor.link_pages(MEMBERS, members, per_page=2, query={"role": "member"})
        self.vendor.link_pages(INVITATIONS, list(invitations), per_page=2)

    def serve_scim(self, users: list[dict[str, Any]]) -> None:
        self.vendor.scim_users("/scim/v2/Users", users, max_count=2)

    def add(self, plugin: str = "github-copilot", name: str = "Copilot acme",
            tool: str = "GitHub Copilot", **options: str) -> integrations.IntegrationRow:
        given = {"base_url": self.vendor.url + ("/scim/v2" if plugin == "scim" else "")}
        if plugin != "scim":
            given["org"] = "acme"
        given.update(options)
        return integrations.add_integration(self.ctx, plugin, name, tool, given, SECRET,
                                            secrets=self.secrets)

    def sync(self, name: str = "Copilot acme", **kwargs: Any) -> engine.SyncResult:
        return engine.sync(self.ctx, name, **self.settings(**kwargs))


@pytest.fixture
def kit(ctx: ServiceContext) -> Iterator[Kit]:
    with FakeVendor() as vendor:
        yield Kit(ctx, vendor)


def dump(ctx: ServiceContext, tables: tuple[str, ...] = TABLES) -> dict[str, list[Any]]:
    """Every row of the tables, as the database holds them, in id order."""
    out: dict[str, list[Any]] = {}
    with ctx.engine.connect() as conn:
        for table in tables:
            out[table] = [tuple(r) for r in conn.execute(text(
                f"SELECT * FROM {table} ORDER BY 1, 2"))]
    return out


def start_of(pid: int) -> str:
    """The start time of a process as Linux counts it (/proc/<pid>/stat field 22), read
    here independently of services.sync.owner."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[19]


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """Another process on this host, alive until the test kills it (or ends)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("processes are looked at through /proc (Linux)")
    child = subprocess.Popen(["sleep", "120"], stdin=subprocess.DEVNULL)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
