"""The tool page's adoption and training sections edit what they show: the adoption target
(set, changed, cleared; a bad percent or an unknown department refused in words on its field,
nothing saved) and the training resources (added, edited, removed; a bad link refused; a
link opened with the desktop's handler)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.services.running import adoption, training
from stackadmin.store.models import Tool
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import screenshot, wait_idle


def _tool(ctx: ServiceContext, name: str) -> int:
    with ctx.read() as session:
        found = session.scalar(select(Tool.id).where(Tool.name == name))
    assert found is not None
    return found


def _open(window: MainWindow, qtbot: Any, tool_id: int) -> Any:
    window.show_page("tool", {"tool_id": tool_id})
    wait_idle(qtbot, window.env)
    return window.pages["tool"]


def _dialog(qtbot: Any, section: Any, button: Any) -> Any:
    section.dialog = None
    button.click()
    qtbot.waitUntil(lambda: section.dialog is not None and section.dialog.isVisible(),
                    timeout=10_000)
    return section.dialog


def _save(qtbot: Any, window: MainWindow, dialog: Any) -> None:
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)


def _refused(qtbot: Any, dialog: Any, field: str) -> str:
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text(field)), timeout=10_000)
    assert dialog.isVisible()
    return str(dialog.problem_text(field))


def test_setting_a_target_shows_its_status_and_training_list(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    figma = _tool(demo_ctx, "Figma")
    page = _open(window, qtbot, figma)
    section = page.section("adoption").widget
    assert "No adoption target set" in section.summary.text()
    assert not section.clear_button.isEnabled() and section.set_button.isEnabled()
    assert section.training_view.isHidden()

    dialog = _dialog(qtbot, section, section.set_button)
    dialog.set_value("percent", "lots")
    assert "'lots' is not a whole percent" in _refused(qtbot, dialog, "percent")
    dialog.set_value("percent", "150")
    assert "150 % is outside 1 to 100" in _refused(qtbot, dialog, "percent")
    dialog.set_value("percent", "60")
    dialog.set_value("department", "Enginering")
    problem = _refused(qtbot, dialog, "department")
    assert "nobody in the people list is in 'Enginering'" in problem
    assert "Engineering" in problem  # the departments there are, to choose from
    assert adoption.target_statuses(demo_ctx, figma) == []  # nothing saved
    qtbot.wait(100)  # the dialog grows to show the problem
    screenshot(dialog, "adoption-target-refused")

    dialog.set_value("department", "Engineering")
    _save(qtbot, window, dialog)
    (status,) = adoption.target_statuses(demo_ctx, figma)
    assert (status.target_pct, status.department) == (60, "Engineering")
    assert f"target 60 % of Engineering active in Figma: {status.active} of " \
           f"{status.group_size}" in section.summary.text()
    shown = [p.email for p in section.training_model.all_rows()]
    assert shown == [p.email for p in status.not_active] and shown
    assert not section.training_view.isHidden() and section.clear_button.isEnabled()

    # Everyone instead of Engineering: a bigger group, a longer training list.
    dialog = _dialog(qtbot, section, section.set_button)
    assert dialog.values()["percent"] == "60" and dialog.values()["department"] == "Engineering"
    dialog.set_value("department", "Everyone")
    dialog.set_value("percent", "90 %")
    _save(qtbot, window, dialog)
    (everyone,) = adoption.target_statuses(demo_ctx, figma)
    assert (everyone.target_pct, everyone.department) == (90, None)
    assert everyone.group_size > status.group_size
    assert "target 90 % of everyone active in Figma" in section.summary.text()
    assert section.training_model.total == len(everyone.not_active) > len(shown)

    section.clear_button.click()
    wait_idle(qtbot, window.env)
    wait_idle(qtbot, window.env)
    assert adoption.target_statuses(demo_ctx, figma) == []
    assert "No adoption target set" in section.summary.text()
    assert section.training_view.isHidden() and not section.clear_button.isEnabled()


class _Browser(QObject):
    """The desktop's handler for https links, as QDesktopServices.setUrlHandler sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def show(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def test_training_resources_are_added_edited_opened_and_removed(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    jira = _tool(demo_ctx, "Jira")
    before = training.list_resources(demo_ctx, jira)
    page = _open(window, qtbot, jira)
    section = page.section("training").widget
    assert section.model.total == len(before) and "1 champion" in section.summary.text()
    assert not section.edit_button.isEnabled() and not section.remove_button.isEnabled()

    dialog = _dialog(qtbot, section, section.buttons.itemAt(0).widget())  # Add…
    dialog.set_value("kind", "link")
    dialog.set_value("title", "")
    dialog.set_value("url", "jira tips on the wiki")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("url")), timeout=10_000)
    assert "is not a web address" in dialog.problem_text("url")
    assert "Title is required" in dialog.problem_text("title")  # both said at once
    dialog.set_value("title", "Jira tips")
    dialog.set_value("kind", "champion")
    assert not dialog.inputs["url"].isEnabled() and dialog.inputs["champion"].isEnabled()
    assert "Champion is required" in _refused(qtbot, dialog, "champion")
    dialog.set_value("champion", "nobody@nowhere.example")
    assert "not in the people list" in _refused(qtbot, dialog, "champion")
    assert training.list_resources(demo_ctx, jira) == before  # nothing saved
    qtbot.wait(100)
    screenshot(dialog, "training-resource-refused")

    dialog.set_value("kind", "link")
    assert dialog.inputs["url"].isEnabled() and not dialog.inputs["champion"].isEnabled()
    dialog.set_value("url", "https://wiki.example.com/jira-tips")
    _save(qtbot, window, dialog)
    added = next(r for r in section.model.all_rows() if r.title == "Jira tips")
    assert (added.kind, added.url) == ("link", "https://wiki.example.com/jira-tips")
    assert section.model.total == len(before) + 1

    # Edit: it becomes a champion, chosen from the people list.
    section.view.selectRow(section.model.row_of(lambda r: r.id == added.id))
    dialog = _dialog(qtbot, section, section.edit_button)
    assert dialog.values()["title"] == "Jira tips"
    champion = dialog.inputs["champion"]
    email = str(champion.itemData(1))
    dialog.set_value("kind", "champion")
    champion.setCurrentIndex(1)
    dialog.set_value("title", "")
    _save(qtbot, window, dialog)
    edited = next(r for r in training.list_resources(demo_ctx, jira) if r.id == added.id)
    assert (edited.kind, edited.url, edited.champion_email) == ("champion", None, email)
    assert edited.title == (edited.champion_name or email)  # the name, as the title
    assert section.model.row_at(section.model.row_of(lambda r: r.id == added.id)).kind \
        == "champion"

    # A link opens with the desktop's handler.
    browser = _Browser()
    QDesktopServices.setUrlHandler("https", browser, "show")
    try:
        link = next(r for r in section.model.all_rows() if r.url and r.url.startswith("https"))
        section.view.selectRow(section.model.row_of(lambda r: r.id == link.id))
        assert section.open_button.isEnabled()
        section.view.doubleClicked.emit(section.view.currentIndex())
        assert browser.opened == [link.url]
    finally:
        QDesktopServices.unsetUrlHandler("https")

    # Remove: Cancel keeps it, Remove removes it.
    section.view.selectRow(section.model.row_of(lambda r: r.id == added.id))
    section.remove()
    section.confirm_box.button(QMessageBox.StandardButton.Cancel).click()
    wait_idle(qtbot, window.env)
    assert any(r.id == added.id for r in training.list_resources(demo_ctx, jira))
    section.view.selectRow(section.model.row_of(lambda r: r.id == added.id))
    section.remove()
    next(b for b in section.confirm_box.buttons() if b.text() == "Remove").click()
    wait_idle(qtbot, window.env)
    wait_idle(qtbot, window.env)
    assert training.list_resources(demo_ctx, jira) == before
    assert section.model.total == len(before)


def test_the_tool_page_with_its_target_and_training(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    adoption.take_snapshot(demo_ctx)
    page = _open(window, qtbot, _tool(demo_ctx, "Jira"))
    adopt = page.section("adoption")
    page.scroll.ensureWidgetVisible(adopt, 0, 0)
    page.scroll.verticalScrollBar().setValue(adopt.y())
    qtbot.wait(50)
    screenshot(window, "tool-page-adoption-training")
    train = page.section("training")
    page.scroll.verticalScrollBar().setValue(train.y() - 200)
    qtbot.wait(50)
    screenshot(window, "tool-page-training")
