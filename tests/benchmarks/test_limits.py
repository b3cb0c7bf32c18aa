"""Each limit script (benchmarks/limits) answers exactly what its command answers: the same
JSON, the same CSV bytes, on the small demo with the cases that change answers added (a
currency without a rate, a tool's own inactivity threshold, text a spreadsheet would run),
on SQLite and on PostgreSQL. A limit that answered less would make a ratio a lie."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from stackadmin.services.context import ServiceContext
from stackadmin.services.demo import load_demo
from stackadmin.store.models import (
    Account,
    Integration,
    SubscriptionTerm,
    Tool,
    VendorSeatCount,
)
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]
DAY = TODAY.isoformat()
TODAY_AT = datetime.combine(TODAY, time(12), tzinfo=UTC)

# (the command's arguments, the limit's module, writes a file)
CASES = [
    (["utilization", "--json"], "utilization", False),
    (["unused", "--json"], "unused", False),
    (["reconcile", "--json"], "reconcile", False),
    (["reminders", "--json"], "reminders", False),
    (["db", "check"], "db_check", False),
    (["export", "seats"], "export_seats", True),
    (["export", "finance"], "export_finance", True),
]


def _run(*argv: str) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([sys.executable, *argv], capture_output=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc


@pytest.fixture
def inventory(ctx: ServiceContext, db_url: str) -> str:
    load_demo(ctx, "small", 7)
    with ctx.transaction() as session:
        tool = Tool(name="+Calc", inactivity_days=15)  # a formula-like name, its own threshold
        session.add(tool)
        session.flush()
        session.add(SubscriptionTerm(tool_id=tool.id, plan="=Team", currency="CHF",
                                     unit_price_minor=1200, seats=3, billing_months=1,
                                     term_start=TODAY - timedelta(days=30),
                                     renewal_date=TODAY + timedelta(days=20)))
        session.add_all([Account(tool_id=tool.id, email=f"-user{n}@example.com",
                                 external_id=f"C{n}", status="active",
                                 first_seen=TODAY_AT - timedelta(days=40),
                                 last_activity=TODAY_AT - timedelta(days=10 + 5 * n))
                         for n in range(3)])
        # What a vendor sync records: a guest the vendor does not bill, an idle seat it is
        # cancelling, and the vendor's own seat counts (two labels, one reported twice).
        session.add_all([
            Account(tool_id=tool.id, email="guest@example.com", external_id="G1",
                    status="active", billable=False, first_seen=TODAY_AT - timedelta(days=90),
                    last_activity=TODAY_AT - timedelta(days=80)),
            Account(tool_id=tool.id, email="leaving@example.com", external_id="G2",
                    status="active", first_seen=TODAY_AT - timedelta(days=90),
                    last_activity=TODAY_AT - timedelta(days=80),
                    pending_cancellation=TODAY + timedelta(days=5))])
        integration = Integration(plugin_id="scim", tool_id=tool.id, name="Calc SCIM")
        session.add(integration)
        session.flush()
        session.add_all([
            VendorSeatCount(integration_id=integration.id, label="old", purchased=2,
                            consumed=2, updated_at=TODAY_AT - timedelta(days=3)),
            VendorSeatCount(integration_id=integration.id, label="pro", purchased=4,
                            consumed=None, updated_at=TODAY_AT)])
        # A member list without activity whose seats are exempt or a bot's: its use is not
        # known (no utilization, no recommendation), though none waits to be judged.
        kept = Tool(name="Kept")
        session.add(kept)
        session.flush()
        session.add(SubscriptionTerm(tool_id=kept.id, plan="Team", currency="USD",
                                     unit_price_minor=500, seats=4, billing_months=1,
                                     term_start=TODAY - timedelta(days=30),
                                     renewal_date=TODAY + timedelta(days=40)))
        session.add_all([
            Account(tool_id=kept.id, email="oncall@example.com", external_id="K1",
                    status="active", activity_known=False, exempt=True,
                    exempt_reason="on call", first_seen=TODAY_AT - timedelta(days=90)),
            Account(tool_id=kept.id, email="ci@example.com", external_id="K2",
                    status="active", activity_known=False, is_bot=True, kind="bot",
                    first_seen=TODAY_AT - timedelta(days=90))])
    return db_url


@pytest.mark.parametrize(("args", "limit", "writes"), CASES,
                         ids=[" ".join(c[0]) for c in CASES])
def test_the_limit_answers_what_the_command_answers(inventory: str, tmp_path: Path,
                                                    args: list[str], limit: str,
                                                    writes: bool) -> None:
    day = [] if args[0] == "db" else ["--as-of", DAY]
    ours_file = [str(tmp_path / "ours.csv")] if writes else []
    limit_file = [str(tmp_path / "limit.csv")] if writes else []
    ours = _run("-m", "stackadmin", "--db", inventory, *args, *ours_file, *day)
    floor = _run("-m", f"benchmarks.limits.{limit}", inventory, *limit_file, *day)
    if writes:
        written = (tmp_path / "ours.csv").read_bytes()
        assert written == (tmp_path / "limit.csv").read_bytes()
        assert written.count(b"\r\n") > 20  # rows, not an empty file
        if args[1] == "seats":
            assert b"'+Calc" in written and b"'-user0@example.com" in written
    elif args[0] == "db":
        assert ours.stdout.splitlines()[1:] == floor.stdout.splitlines()[1:]  # the name aside
    else:
        assert ours.stdout == floor.stdout
        assert len(ours.stdout) > 200
