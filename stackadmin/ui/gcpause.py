"""Python's cyclic garbage collector in the GUI process: it runs on the GUI thread only.

A collection destroys the Qt objects it finds in unreachable cycles on whichever thread it
runs. On a worker thread, `QObject::~QObject` can then wait for the interpreter lock while
the GUI thread holds a Qt mutex and waits for it: the window hangs for good
(docs/platform-notes.md). So `install()` turns automatic collection off for the process and
collects on the GUI thread instead: from a timer, and when a background job ends. Should
anything call `gc.collect()` on another thread all the same, everything is moved out of its
reach first (`gc.freeze`) and handed back afterwards, for the GUI thread's next collection
(objects a `gc_paused(freeze=True)` froze are handed back with the rest: a later full pass
scans them once more, which costs time, never correctness).

The timer collects by the same rule the interpreter uses (a generation once its count passes
its threshold; `app.tune_gc` sets them), only never on a worker.

While a worker builds 100,000-row structures (the import wizard), `gc_paused` holds the GUI
thread's collections back: a full pass would scan those rows while holding the interpreter
lock (measured here on a 100,000-row accounts file: stalls of up to 140 ms without the pause,
24 ms with it; the read took 0.20 s instead of 0.45 s). The rows are lists of strings (no
cycles), so nothing piles up meanwhile; reference counting frees everything as usual.
`freeze=True` then moves what is alive into the permanent generation (gc.freeze), so no pass
scans it while the wizard holds it; the wizard calls `thaw()` when it closes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 250  # how often the GUI thread looks at the collector's counts

_lock = threading.Lock()
_holders = 0
_was_enabled = True
_collector: GuiCollector | None = None


class GuiCollector(QObject):
    """Collects cyclic garbage on the thread it lives on (the GUI thread), never elsewhere."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thread_id = threading.get_ident()
        self.was_enabled = gc.isenabled()
        self.collections = 0  # made on the GUI thread
        self.refused = 0  # started on another thread and given nothing to collect
        self._froze = False
        gc.disable()
        gc.callbacks.append(self._guard)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start()

    def collect_due(self) -> int:
        """Collects the generations whose counts passed their thresholds (as the interpreter
        would have); nothing while a `gc_paused` holder is inside. Returns what was freed."""
        if _holders or threading.get_ident() != self.thread_id:
            return 0
        counts, limits = gc.get_count(), gc.get_threshold()
        generation = -1
        for g in range(3):
            if counts[g] > limits[g]:
                generation = g
            else:
                break
        if generation < 0:
            return 0
        self.collections += 1
        return gc.collect(generation)

    def _guard(self, phase: str, _info: dict[str, Any]) -> None:
        # Runs inside every collection, on the collecting thread, before it looks at any
        # object ("start") and after it is done ("stop").
        if threading.get_ident() == self.thread_id:
            return
        if phase == "start":
            gc.freeze()  # the generations it would scan are empty now
            self._froze = True
            self.refused += 1
        elif self._froze:
            self._froze = False
            gc.unfreeze()  # back into the oldest generation: the GUI thread collects it

    def stop(self) -> None:
        self.timer.stop()
        if self._guard in gc.callbacks:
            gc.callbacks.remove(self._guard)
        if self.was_enabled:
            gc.enable()


def install(app: QCoreApplication | None = None) -> GuiCollector:
    """Turns automatic collection off and collects on the calling (GUI) thread from now on.
    Idempotent; the collector lives as long as the application object."""
    global _collector
    if _collector is None:
        owner = app or QCoreApplication.instance()
        if owner is None:
            raise RuntimeError("the Qt application must exist before the collector")
        _collector = GuiCollector(owner)
    return _collector


def uninstall() -> None:
    """Automatic collection as it was before `install` (tests)."""
    global _collector
    if _collector is not None:
        _collector.stop()
        _collector.deleteLater()
        _collector = None


def installed() -> GuiCollector | None:
    return _collector


def after_job() -> None:
    """A background job's result was delivered (on the GUI thread): what it left behind is
    collected here, by the thresholds, rather than on the next worker."""
    if _collector is not None:
        _collector.collect_due()


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """No collection while any holder is inside (jobs overlap: collections resume when the
    last one leaves). Without the GUI collector, automatic collection is turned off meanwhile
    and back on afterwards if it was on before the first holder."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if freeze:
                gc.freeze()
            if _holders == 0 and _was_enabled:
                gc.enable()


def hold_for_start() -> Callable[[], None]:
    """Holds collections back while the window starts, and returns the release (call it once
    the start is over; later calls do nothing).

    Nearly everything a start makes lives as long as the process: modules, classes, the
    window's widgets, the first page's rows. A collection meanwhile finds nothing to free and
    holds the interpreter lock that the worker importing the data stack needs (12–28 ms a
    young collection under the start's thresholds, measured on the large demo). The release
    moves what is alive into the permanent generation (`gc.freeze`), where no later full pass
    scans it again."""
    hold = gc_paused(freeze=True)
    hold.__enter__()
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            hold.__exit__(None, None, None)

    return release


def thaw() -> None:
    """Frozen objects become collectable again (the next full pass scans them once)."""
    gc.unfreeze()
