"""Cycles are collected on the GUI thread only: never a Qt object destroyed on a worker."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from typing import Any

import pytest
from PySide6.QtCore import QObject, QSettings

from stackadmin.services.context import ServiceContext
from stackadmin.ui import gcpause
from stackadmin.ui.env import Env
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.pages import PAGES
from stackadmin.ui.tasks import TaskRunner
from tests.ui.conftest import wait_idle

_WATCHES: list[weakref.ref[QObject]] = []


def _garbage_cycle_holding_a_qobject(deaths: list[int]) -> None:
    """A Python-owned QObject reachable only from a reference cycle: unreachable garbage
    that only the cycle collector frees. `deaths` gets the id of the thread that does (the
    weak reference is kept outside the garbage: one inside it would never call back)."""
    holder: list[Any] = []
    holder.append(holder)
    obj = QObject()
    holder.append(obj)
    _WATCHES.append(weakref.ref(obj, lambda ref: (deaths.append(threading.get_ident()),
                                                  _WATCHES.remove(ref))))


def _on_a_worker(work: Any) -> None:
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()


def test_a_collection_forced_on_a_worker_destroys_no_qt_object(qapp: Any) -> None:
    collector = gcpause.installed()
    assert collector is not None and not gc.isenabled()
    gc.collect()  # a clean slate, on the GUI thread
    deaths: list[int] = []
    _garbage_cycle_holding_a_qobject(deaths)
    refused = collector.refused
    found: list[int] = []
    _on_a_worker(lambda: found.append(gc.collect()))
    assert deaths == [] and found == [0]  # the worker's collection found nothing at all
    assert collector.refused == refused + 1
    gc.collect()  # the GUI thread's collection frees it, here
    assert deaths == [threading.get_ident()]


def test_workers_never_start_a_collection_by_themselves(qapp: Any) -> None:
    """Allocation on a worker past every threshold sets off no collection there."""
    started: list[int] = []

    def watch(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(threading.get_ident())

    def allocate() -> None:
        junk: list[Any] = []
        for _ in range(300_000):  # six times the young generation's threshold
            pair: list[Any] = []
            pair.append(pair)
            junk.append(pair)
        junk.clear()

    gc.callbacks.append(watch)
    try:
        worker_ids: list[int] = []
        _on_a_worker(lambda: (worker_ids.append(threading.get_ident()), allocate()))
    finally:
        gc.callbacks.remove(watch)
    assert worker_ids[0] not in started
    freed = gcpause.installed().collect_due()  # type: ignore[union-attr]
    assert freed >= 300_000  # the GUI thread collects what the worker left, by the rules


def test_the_gui_threads_timer_collects_by_the_thresholds(qapp: Any, qtbot: Any) -> None:
    deaths: list[int] = []
    for _ in range(gc.get_threshold()[0] // 3 + 1):
        _garbage_cycle_holding_a_qobject(deaths)
    qtbot.waitUntil(lambda: bool(deaths), timeout=5_000)
    assert set(deaths) == {threading.get_ident()}


def test_a_pause_holds_the_gui_threads_collections_back(qapp: Any) -> None:
    collector = gcpause.installed()
    assert collector is not None
    deaths: list[int] = []
    for _ in range(gc.get_threshold()[0] // 3 + 1):
        _garbage_cycle_holding_a_qobject(deaths)
    with gcpause.gc_paused():
        assert collector.collect_due() == 0 and deaths == []
        assert not gc.isenabled()  # the pause never turns automatic collection back on
    assert not gc.isenabled()
    assert collector.collect_due() > 0 and deaths


def test_the_start_holds_collections_back_and_freezes_what_it_made(qapp: Any) -> None:
    collector = gcpause.installed()
    assert collector is not None
    deaths: list[int] = []
    release = gcpause.hold_for_start()
    try:
        for _ in range(gc.get_threshold()[0] // 3 + 1):
            _garbage_cycle_holding_a_qobject(deaths)
        alive: list[Any] = []
        alive.append(alive)  # made during the start and kept: frozen at its end
        assert collector.collect_due() == 0 and deaths == []
    finally:
        frozen_before = gc.get_freeze_count()
        release()
    try:
        assert gc.get_freeze_count() > frozen_before  # what lives is out of later passes
        assert not gc.isenabled()  # the GUI thread's timer still does the collecting
        release()  # a second release does nothing
        assert not gc.isenabled()
        assert collector.collect_due() == 0  # the start's garbage went with the freeze
    finally:
        gcpause.thaw()
    # Thawed, they are in the oldest generation again: a full pass frees the start's garbage.
    assert gc.collect() > 0 and deaths


# A deadlock holds the main thread inside Qt, where the signal method of pytest-timeout never
# runs: the thread method dumps every stack and ends the run instead of hanging it.
@pytest.mark.timeout(150, method="thread")
def test_pages_load_many_times_while_a_worker_forces_collections(
        demo_ctx: ServiceContext, qtbot: Any, qapp: Any, tmp_path: Any) -> None:
    """The hang seen in the GUI tests, provoked on purpose: windows are opened, every page
    loads, and each window is dropped again (leaving cycles of Qt objects behind) while a
    thread calls gc.collect() as fast as it can. No worker's collection may free anything,
    and nothing hangs (pytest-timeout)."""
    main = threading.get_ident()
    worker_frees: list[int] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and threading.get_ident() != main and info["collected"]:
            worker_frees.append(info["collected"])

    stop = threading.Event()
    forced = [0]

    def force() -> None:
        while not stop.is_set():
            gc.collect()
            forced[0] += 1
            time.sleep(0.001)

    gc.callbacks.append(watch)
    forcer = threading.Thread(target=force, daemon=True)
    forcer.start()
    rounds = 6
    try:
        for n in range(rounds):
            tasks = TaskRunner(demo_ctx)
            env = Env(tasks, settings=QSettings(str(tmp_path / f"gui{n}.ini"),
                                                QSettings.Format.IniFormat))
            window = MainWindow(env)
            window.resize(1100, 700)
            window.show()
            window.attach(False)
            for page in PAGES:
                window.show_page(page.key, {"person_id": 1} if page.key == "person" else None)
                wait_idle(qtbot, env)
            env.changed("*")  # every page reloads at once
            wait_idle(qtbot, env)
            window.close()
            window.deleteLater()
            tasks.wait()
            del window, env, tasks
            qtbot.wait(20)
    finally:
        stop.set()
        forcer.join(10)
        gc.callbacks.remove(watch)
    print(f"\ngc stress: {rounds} rounds of {len(PAGES)} page loads, {forced[0]} collections "
          f"forced on a worker, {len(worker_frees)} of them freed something (must be 0)")
    assert forced[0] > rounds and worker_frees == []
