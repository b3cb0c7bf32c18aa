"""A tool whose source reports no activity and a tool with no account recorded: the Tools
page, the dashboard, the Savings page, the rightsizing brief, the finance export and the
command line all say the same (no 0 %, no cut to 0 seats, no contract counted as a saving)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import terms, tools
from stackadmin.services.inventory.terms import list_terms
from stackadmin.services.spreadsheets.exports import export_finance
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.rightsizing import brief_lines
from tests.conftest import TODAY
from tests.services.seats.helpers import account, person
from tests.ui.conftest import make_env, screenshot, wait_idle


def _tool(ctx: ServiceContext, name: str, seats: int, *, renewal_days: int) -> int:
    """10.00 a seat a month; renews `renewal_days` from today (60: its brief is due)."""
    tool = tools.create_tool(ctx, name=name)
    terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="10.00", seats=seats,
                      billing_period="monthly", term_start=TODAY - timedelta(days=300),
                      renewal_date=TODAY + timedelta(days=renewal_days), auto_renew=False)
    return tool.id


@pytest.fixture
def inventory(ctx: ServiceContext) -> ServiceContext:
    """Scim: 19 seats bought, 16 held, no activity reported (one held by a leaver). Empty:
    20 seats bought, no account recorded. Chat: 4 seats, 3 used, 1 never (a control)."""
    ui = ctx.with_source(AuditSource.UI)
    scim = _tool(ui, "Scim", 19, renewal_days=60)
    gone = person(ui, "gone@example.com", departed_days_ago=30)
    account(ui, scim, "gone@example.com", person_id=gone, last_days=None, activity_known=False)
    for n in range(15):
        account(ui, scim, f"rep{n}@example.com", last_days=None, activity_known=False)
    _tool(ui, "Empty", 20, renewal_days=70)
    chat = _tool(ui, "Chat", 4, renewal_days=265)
    for n in range(3):
        account(ui, chat, f"c{n}@example.com", last_days=2)
    account(ui, chat, "idle@example.com", last_days=None, first_days=300)
    return ui


@pytest.fixture
def window(inventory: ServiceContext, tmp_path: Path, qtbot: Any,
           qapp: Any) -> Iterator[MainWindow]:
    from stackadmin.ui import theme

    theme.apply(qapp)
    env = make_env(inventory, tmp_path)
    win = MainWindow(env)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.attach(False)
    yield win
    env.tasks.cancel()
    env.tasks.wait()


def _cli(db_url: str, *args: str) -> Any:
    proc = subprocess.run([sys.executable, "-m", "stackadmin", "--db", db_url, *args],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ),
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _cell(page: Any, tool: str, title: str) -> str:
    model = page.model
    row = model.row_of(lambda r: r.tool.name == tool)
    column = next(n for n, c in enumerate(model.columns) if c.title == title)
    return str(model.data(model.index(row, column)))


def test_gui_and_cli_agree_on_unknown_activity_and_missing_seat_data(
        window: MainWindow, inventory: ServiceContext, db_url: str, qtbot: Any,
        tmp_path: Path) -> None:
    cli = {t["tool"]: t for t in _cli(db_url, "utilization", "--as-of", TODAY.isoformat(),
                                      "--json")}
    assert cli["Scim"]["utilization_pct"] is None and cli["Scim"]["recommended_seats"] is None
    assert cli["Empty"]["seat_data"] is False
    assert cli["Empty"]["seats_held"] is None and cli["Empty"]["seats_unassigned"] is None
    assert cli["Empty"]["potential_savings_base"] is None

    # Tools page: the same figures, in words where there is no number.
    window.show_page("tools")
    page = window.pages["tools"]
    qtbot.waitUntil(lambda: page.model.total == 3
                    and page.model.row_at(0).utilization is not None, timeout=20_000)
    assert _cell(page, "Scim", "Utilization") == "activity unknown"
    assert _cell(page, "Scim", "Held") == str(cli["Scim"]["seats_held"]) == "16"
    # The leaver's seat and the 3 seats held by nobody, × 120 a year: no inactivity judged.
    assert _cell(page, "Scim", "Savings/yr") == "$480.00"
    assert cli["Scim"]["potential_savings_base"] == "480.00"
    assert _cell(page, "Empty", "Utilization") == "no seat data"
    assert _cell(page, "Empty", "Held") == "—" and _cell(page, "Empty", "Savings/yr") == "—"
    assert _cell(page, "Chat", "Utilization") == "75 %" == f"{cli['Chat']['utilization_pct']:.0f} %"
    assert _cell(page, "Scim", "Rightsizing").startswith("keep")  # no cut to 0 seats
    screenshot(window, "unknown-seats-tools")

    # Dashboard: savings are the CLI's total; the tool without data saves nothing.
    window.show_page("dashboard")
    dash = window.pages["dashboard"]
    qtbot.waitUntil(lambda: dash.seat_model.total > 0, timeout=20_000)
    total = sum(Decimal(t["potential_savings_base"]) for t in cli.values()
                if t["potential_savings_base"] is not None)
    assert dash.board.savings_base == total == Decimal("600.00")  # Scim 480 + Chat 120
    seats = {s.tool: s for s in dash.seat_model.all_rows()}
    assert seats["Empty"].assigned is None and seats["Empty"].savings_base is None
    assert not seats["Scim"].activity_known
    screenshot(window, "unknown-seats-dashboard")

    # Savings page: one leaver's seat and the idle ones; nothing for Empty.
    window.show_page("savings")
    savings = window.pages["savings"]
    wait_idle(qtbot, window.env)
    groups = {(g.tool, g.reason): g.seats for g in savings.group_model.all_rows()}
    assert groups == {("Scim", "departed"): 1, ("Scim", "unassigned"): 3,
                      ("Chat", "never_active"): 1}
    assert savings.figure.text() == "$600.00"

    # The rightsizing brief says activity unknown and recommends no cut.
    term = next(t for t in list_terms(inventory) if t.tool == "Scim")
    brief = _cli(db_url, "rightsizing", str(term.id), "--as-of", TODAY.isoformat(), "--json")
    assert brief["recommended_seats"] is None and brief["seat_change"] is None
    assert brief["projected_savings"] == "0.00"
    from stackadmin.services.seats.rightsizing import rightsizing_brief
    from stackadmin.ui.rightsizing import BriefPanel

    scim_brief = rightsizing_brief(inventory, term.id)
    panel = BriefPanel(scim_brief)
    panel.resize(560, panel.sizeHint().height())
    screenshot(panel, "brief-activity-unknown")
    panel.deleteLater()
    lines = dict(brief_lines(scim_brief))
    assert "activity unknown" in lines["Recommended"] and "no cut" in lines["Recommended"]
    assert "activity unknown" in lines["Seats"]

    # The finance export's seat columns: Empty's are empty cells, not zeros.
    path = tmp_path / "finance.csv"
    export_finance(inventory, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["tool"]: r for r in csv.DictReader(handle)}
    assert (rows["Empty"]["seats_held"], rows["Empty"]["seats_unused"]) == ("", "")
    assert rows["Scim"]["seats_held"] == "16" and rows["Scim"]["seats_unused"] == "1"
    assert rows["Chat"]["seats_active"] == str(cli["Chat"]["seats_active"]) == "3"
