"""Two people editing the same term, tool or person in two windows: the second save is told,
in words above the form, that someone else changed the record; what they typed stays, and
saving again replaces the other change on purpose. Nothing is overwritten silently."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.store.models import Person, SubscriptionTerm, Tool
from stackadmin.ui.dialogs import FormDialog
from stackadmin.ui.dialogs import people as people_dialogs
from stackadmin.ui.dialogs import terms as term_dialogs
from stackadmin.ui.dialogs import tools as tool_dialogs
from stackadmin.ui.mainwindow import MainWindow
from tests.conftest import TODAY
from tests.ui.conftest import make_env, screenshot, wait_idle


@pytest.fixture(autouse=True)
def _collect_on_this_thread_only() -> Iterator[None]:
    """Two windows and their dialogs make many Qt objects: a cycle collection started on a
    worker thread could destroy one of them there and deadlock with the GUI thread (a
    known PySide hazard). Collection runs here, on the GUI thread, after the test."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@pytest.fixture
def second_window(demo_ctx: ServiceContext, db_url: str, tmp_path: Path, qtbot: Any
                  ) -> Iterator[MainWindow]:
    """Another stackadmin window on the same database, with its own connections."""
    ctx = open_context(db_url, source=AuditSource.UI, today=lambda: TODAY)
    env = make_env(ctx, tmp_path / "second")
    win = MainWindow(env)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.attach(False)
    yield win
    env.tasks.cancel()
    env.tasks.wait()
    ctx.close()


def _open(window: MainWindow, qtbot: Any, page_key: str) -> Any:
    window.show_page(page_key)
    page = window.pages[page_key]
    wait_idle(qtbot, window.env)
    return page


def _conflict(first: FormDialog, second: FormDialog, qtbot: Any, field: str, mine: str,
              theirs: str) -> None:
    """`first` saves `theirs`; `second`, opened before that, tries `mine`."""
    first.set_value(field, theirs)
    first.submit()
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=10_000)
    second.set_value(field, mine)
    second.submit()
    qtbot.waitUntil(lambda: bool(second.conflict_text()), timeout=10_000)
    assert second.isVisible()
    assert "was changed by someone else after you opened it" in second.conflict_text()
    assert "Your entries are still here" in second.conflict_text()
    assert second.values()[field] == mine  # the user's input is kept
    assert second.buttons.isEnabled()


def _stored(ctx: ServiceContext, model: Any, row_id: int, field: str) -> Any:
    with ctx.read() as session:
        return getattr(session.scalars(select(model).where(model.id == row_id)).one(), field)


def _save_again(dialog: FormDialog, qtbot: Any) -> None:
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)


def test_the_second_save_of_a_term_is_told_and_keeps_the_input(
        window: MainWindow, second_window: MainWindow, demo_ctx: ServiceContext,
        qtbot: Any) -> None:
    mine, theirs = _open(window, qtbot, "renewals"), _open(second_window, qtbot, "renewals")
    term = mine.model.row_at(0).term
    other_copy = next(r.term for r in theirs.model.all_rows() if r.term.id == term.id)
    first = term_dialogs.edit(theirs, other_copy)
    second = term_dialogs.edit(mine, term)
    assert first is not None and second is not None
    _conflict(first, second, qtbot, "seats", mine="7", theirs="99")
    screenshot(second, "term-edit-conflict")
    assert _stored(demo_ctx, SubscriptionTerm, term.id, "seats") == 99
    _save_again(second, qtbot)  # now knowingly
    assert _stored(demo_ctx, SubscriptionTerm, term.id, "seats") == 7


@pytest.mark.parametrize(("page_key", "edit", "row_of", "model", "field", "mine", "theirs"), [
    ("tools", tool_dialogs.edit, lambda line: line.tool, Tool, "category", "Mine", "Theirs"),
    ("people", people_dialogs.edit, lambda person: person, Person, "title", "CTO", "CEO"),
])
def test_tools_and_people_too(window: MainWindow, second_window: MainWindow,
                              demo_ctx: ServiceContext, qtbot: Any, page_key: str,
                              edit: Callable[..., FormDialog | None],
                              row_of: Callable[[Any], Any], model: Any, field: str,
                              mine: str, theirs: str) -> None:
    page, other_page = _open(window, qtbot, page_key), _open(second_window, qtbot, page_key)
    record = row_of(page.model.row_at(0))
    other_record = next(row_of(r) for r in other_page.model.all_rows()
                        if row_of(r).id == record.id)
    first, second = edit(other_page, other_record), edit(page, record)
    assert first is not None and second is not None
    _conflict(first, second, qtbot, field, mine=mine, theirs=theirs)
    assert _stored(demo_ctx, model, record.id, field) == theirs
    _save_again(second, qtbot)
    assert _stored(demo_ctx, model, record.id, field) == mine
