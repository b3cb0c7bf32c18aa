"""TaskRunner: work on a pool thread, results and errors on the GUI thread, cancellation."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread

from stackadmin.errors import UserError
from stackadmin.ui.tasks import Job, TaskRunner


def test_result_arrives_on_the_gui_thread_from_a_worker(qtbot: Any) -> None:
    runner = TaskRunner(None)
    seen: dict[str, Any] = {}

    def work(_ctx: Any, job: Job) -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["gui_thread"] = QThread.currentThread() is runner.thread()

    runner.run(work, done, needs_ctx=False)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)
    assert seen["value"] == 42 and seen["gui_thread"]
    assert seen["worker"] != threading.get_ident()
    assert not runner.busy


def test_an_exception_goes_to_failed_not_done(qtbot: Any) -> None:
    runner = TaskRunner(None)
    got: list[Any] = []

    def work(_ctx: Any, job: Job) -> None:
        raise UserError("the file is not a spreadsheet")

    runner.run(work, lambda r: got.append(("done", r)), lambda e: got.append(e),
               needs_ctx=False)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0], UserError) and "spreadsheet" in str(got[0])


def test_a_cancelled_job_stops_and_its_result_is_dropped(qtbot: Any) -> None:
    runner = TaskRunner(None)
    started = threading.Event()
    steps: list[int] = []
    delivered: list[Any] = []

    def work(_ctx: Any, job: Job) -> str:
        started.set()
        for n in range(500):
            job.check()
            steps.append(n)
            threading.Event().wait(0.01)
        return "finished"

    job = runner.run(work, delivered.append, delivered.append, needs_ctx=False)
    assert started.wait(5)
    job.cancel()  # from the GUI thread, as the Cancel button does
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert delivered == [] and len(steps) < 500


def test_a_new_job_with_the_same_key_replaces_the_running_one(qtbot: Any) -> None:
    runner = TaskRunner(None)
    gate = threading.Event()
    results: list[str] = []

    def slow(_ctx: Any, job: Job) -> str:
        gate.wait(5)
        return "old"

    runner.run(slow, results.append, key="load:tools", needs_ctx=False)
    runner.run(lambda _c, _j: "new", results.append, key="load:tools", needs_ctx=False)
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert results == ["new"]


def test_work_needing_the_database_is_refused_before_it_is_open() -> None:
    with pytest.raises(RuntimeError):
        TaskRunner(None).run(lambda _c, _j: None)
