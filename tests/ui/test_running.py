"""The map renders every status and exports PNG and SVG; the tool and person sections; the
Connections and Onboarding pages; the cancel impact in the decision dialog; the digest's
HTML rendered; the app's snapshot and digest check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QTextBrowser

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import tools
from stackadmin.services.running import adoption, connections
from stackadmin.ui.env import Env
from stackadmin.ui.stackmap import STATUS_COLOURS, StackMapView
from tests.ui.conftest import screenshot, wait_idle


def _rows(ctx: ServiceContext) -> tuple[dict[int, tuple[str, str | None]], list[Any]]:
    listed = {t.id: (t.name, t.category) for t in tools.list_tools(ctx)}
    return listed, connections.list_connections(ctx)


def test_the_map_draws_every_status_and_exports_png_and_svg(
        demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    listed, rows = _rows(demo_ctx)
    assert {r.status for r in rows} == set(STATUS_COLOURS)  # the demo has every status
    view = StackMapView()
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.set_map(listed, rows)
    view.show()
    view.fit()
    assert len(view.nodes) == len(listed) and len(view.edges) == len(rows)
    colours = {e.row.status: e.pen().color().name() for e in view.edges}
    assert colours == STATUS_COLOURS
    png = view.export_png(tmp_path / "map.png")
    image = QImage(str(png))
    assert image.width() > 1000
    seen = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)}
    for status, colour in STATUS_COLOURS.items():
        assert colour in seen, f"{status} ({colour}) is not drawn"
    svg = view.export_svg(tmp_path / "map.svg").read_text("utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    for name in ("Jira", "Slack", "Engineering"):
        assert name in svg
    screenshot(view, "map-view")


def test_clicking_a_node_or_an_edge_opens_it(demo_ctx: ServiceContext, qtbot: Any) -> None:
    listed, rows = _rows(demo_ctx)
    view = StackMapView()
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.set_map(listed, rows)
    view.show()
    jira = next(i for i, (n, _c) in listed.items() if n == "Jira")
    node = view.nodes[jira]
    with qtbot.waitSignal(view.tool_clicked) as clicked:
        view.click_at(view.mapFromScene(node.sceneBoundingRect().center()))
    assert clicked.args == [jira]
    edge = view.edges[0]
    point = edge.path().pointAtPercent(0.5)
    with qtbot.waitSignal(view.connection_clicked) as picked:
        view.click_at(view.mapFromScene(point))
    assert picked.args == [edge.row.id]
    before = view.transform().m11()
    view.zoom(1.5)
    assert view.transform().m11() == pytest.approx(before * 1.5)
    view.click_at(QPoint(2, 2))  # nothing there: nothing opens


def test_tool_sections(env: Env, demo_ctx: ServiceContext, qtbot: Any) -> None:
    from stackadmin.ui.running_sections import (
        ToolAdoptionSection,
        ToolConnectionsSection,
        ToolTrainingSection,
    )

    adoption.take_snapshot(demo_ctx)
    jira = tools.tool_by_name(demo_ctx, "Jira").id
    made = []
    for cls in (ToolConnectionsSection, ToolAdoptionSection, ToolTrainingSection):
        with qtbot.waitSignal(env.tasks.finished, timeout=20_000):
            section = cls(env, jira)
        qtbot.addWidget(section)
        made.append(section)
    wait_idle(qtbot, env)
    conns, adopt, train = made
    assert conns.model.total == 3  # Slack, GitHub, the planned Figma link
    assert "3 connections depend on it" in conns.summary.text()
    assert "target 80 % of Engineering active in Jira" in adopt.summary.text()
    assert adopt.chart.days and adopt.chart.series[1][0] == "active"
    from stackadmin.ui.fmt import date_text

    today = demo_ctx.today()
    assert f" on {date_text(today)}; history since {date_text(today)}" in adopt.cost.text()
    assert today.isoformat() not in adopt.cost.text()  # dates as the pages write them
    assert "1 guide, 1 link, 1 champion" in train.summary.text()
    assert {(r.kind, r.title) for r in train.model.all_rows()} >= {
        ("guide", "Jira at our company"), ("champion", "Bruno Singh")}
    for section, name in zip(made, ("connections", "adoption", "training"), strict=True):
        section.resize(760, section.sizeHint().height())
        section.show()
        screenshot(section, f"tool-section-{name}")


def test_person_onboarding_section_exports_the_checklist(
        window: Any, demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    from stackadmin.services.running.onboarding import list_bundles
    from stackadmin.store.models import Person

    with demo_ctx.read() as session:
        person = session.query(Person).filter(Person.department == "Engineering").first()
        assert person is not None
        person_id = person.id
    assert list_bundles(demo_ctx)
    window.show_page("person", {"person_id": person_id})
    wait_idle(qtbot, window.env)
    page = window.pages["person"]
    section = page.onboarding
    assert section is not None and section.model.total == 4
    target = tmp_path / "checklist.csv"
    section.ask_path = lambda _w, _request, chosen: chosen(str(target))
    section.export()
    wait_idle(qtbot, window.env)
    assert target.read_bytes().startswith(b"\xef\xbb\xbfperson,email,")
    screenshot(window, "person-onboarding")


def test_decision_dialog_names_what_breaks(window: Any, demo_ctx: ServiceContext,
                                           qtbot: Any) -> None:
    from stackadmin.services.renewals.listing import list_renewals
    from stackadmin.ui.reminders.actions import decision_dialog

    renewal = next(r for r in list_renewals(demo_ctx) if r.tool == "Jira")
    dialog = decision_dialog(window.env, window, renewal, "cancel")
    qtbot.addWidget(dialog)
    wait_idle(qtbot, window.env)
    text = dialog.impact.text()
    assert "If Jira is cancelled, 3 connections break" in text
    assert "Jira issues → Slack #eng-alerts" in text
    screenshot(dialog, "decide-cancel-impact")


def test_map_page_exports_through_its_path_question(window: Any, qtbot: Any,
                                                    tmp_path: Path) -> None:
    window.show_page("map")
    wait_idle(qtbot, window.env)
    page = window.pages["map"]
    target = tmp_path / "stack.svg"
    page.ask_path = lambda _w, _request, chosen: chosen(str(target))
    page.export("svg")
    assert target.exists() and "<svg" in target.read_text("utf-8")
    page.ask_path = lambda _w, _request, chosen: chosen(str(tmp_path / "missing" / "x.png"))
    messages: list[str] = []
    window.env.error.connect(messages.append)
    page.export("png")
    assert messages and "cannot be written" in messages[0]


def test_digest_html_renders_readably_at_phone_width(demo_ctx: ServiceContext,
                                                      qtbot: Any) -> None:
    from stackadmin.services.digest.run import compose

    html = compose(demo_ctx).html()
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(html)
    browser.resize(390, 1400)  # a phone's width in CSS pixels
    browser.show()
    doc = browser.document()
    doc.setTextWidth(390)
    assert doc.size().width() <= 400  # no horizontal scrolling on a phone
    plain = doc.toPlainText()
    assert "Renewals to decide" in plain and "Connections" in plain
    screenshot(browser, "digest-phone")


def test_the_app_takes_todays_snapshot_and_skips_an_unconfigured_digest(
        env: Env, demo_ctx: ServiceContext, qtbot: Any) -> None:
    from stackadmin.ui.running_center import RunningCenter

    center = RunningCenter(env)
    center.check()
    wait_idle(qtbot, env)
    assert center.last["snapshot"].added == 25
    assert "sent" not in center.last and "report" not in center.last
    assert adoption.snapshot_taken(demo_ctx)
    center.check()
    wait_idle(qtbot, env)
    assert "snapshot" not in center.last  # once a day, not every check
