"""What a page gets: the service context, the task runner, shared signals and formatting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, QObject, QSettings, Signal

from stackadmin.ui.tasks import Job, TaskRunner

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext


class Env(QObject):
    """One per main window, handed to every page (and to widgets added later: reminders,
    savings, import). Pages reach the database only through `run()` jobs; they talk to each
    other only through these signals, never by holding references to one another.

    Entities named in `data_changed`: "tool", "term", "person", "account", "setting",
    "audit", "offboarding", "integration", "reminder", "decision", "document" (a tool's
    documents), "contact" (vendor contacts), "request", "evaluation", "feedback", "tags", or
    "*" for everything (a demo load, an import, a purchase).
    """

    data_changed = Signal(str)  # entity kind that changed
    navigate = Signal(str, object)  # page key, target (e.g. {"person_id": 3}) or None
    message = Signal(str)  # a sentence for the status bar
    error = Signal(str)  # a sentence for the error banner
    undo_offered = Signal(object)  # a stackadmin.ui.undo.Undoable: the last action's undo
    # The import wizard registered (`import_hook`): it is installed once the start is over,
    # so what offers an import and was built before then follows this.
    import_available = Signal()

    def __init__(self, tasks: TaskRunner, *, settings: QSettings | None = None,
                 locale: QLocale | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.settings = settings if settings is not None else QSettings()
        self.qlocale = locale or QLocale()
        # Babel wants 'en_US', Qt gives 'en_US' too; "C" (tests, bare containers) is en_US.
        name = self.qlocale.name()
        self.locale = "en_US" if name in ("C", "") else name
        self._import_hook: Callable[[], None] | None = None
        # The window's syncs (stackadmin.ui.sync_center.SyncCenter), made on first use.
        self.sync_center: Any = None
        # Results that several pages share (the 100k-seat utilization report): kept until
        # any data changes. Connected before any page, so pages reload against a new one.
        self._generation = 0
        self._cache: dict[str, tuple[int, Any]] = {}
        self.data_changed.connect(self._bump)

    @property
    def import_hook(self) -> Callable[[], None] | None:
        """Opens the import wizard; None until the wizard registers (or in a window
        without it)."""
        return self._import_hook

    @import_hook.setter
    def import_hook(self, hook: Callable[[], None] | None) -> None:
        self._import_hook = hook
        if hook is not None:
            self.import_available.emit()

    # -- shared results --------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Changes whenever data changes: capture it when a job starts, pass it to remember."""
        return self._generation

    def remember(self, key: str, value: Any, *, generation: int) -> None:
        """Keeps a result computed from the data as of `generation` (dropped if stale)."""
        if generation == self._generation:
            self._cache[key] = (generation, value)

    def recall(self, key: str) -> Any:
        generation, value = self._cache.get(key, (-1, None))
        return value if generation == self._generation else None

    def _bump(self, _entity: str) -> None:
        self._generation += 1
        self._cache.clear()

    # -- the database --------------------------------------------------------------------
    @property
    def ctx(self) -> ServiceContext:
        if self.tasks.ctx is None:
            raise RuntimeError("the database is not open yet")
        return self.tasks.ctx

    @property
    def ready(self) -> bool:
        return self.tasks.ctx is not None

    def today(self) -> date:
        return self.ctx.today()

    def run(self, work: Callable[[ServiceContext, Job], Any],
            done: Callable[[Any], None] | None = None,
            failed: Callable[[BaseException], None] | None = None, *,
            title: str = "", key: str | None = None,
            progress: Callable[[int, int], None] | None = None) -> Job:
        """Shortcut for `tasks.run`: `work(ctx, job)` on a worker, `done(result)` here."""
        return self.tasks.run(work, done, failed, title=title, key=key, progress=progress)

    def changed(self, entity: str) -> None:
        """Tells every page that data of this kind changed (they reload what shows it)."""
        self.data_changed.emit(entity)

    def open_page(self, key: str, target: object = None) -> None:
        self.navigate.emit(key, target)

    def offer_undo(self, undoable: Any) -> None:
        """Makes `undoable` (a stackadmin.ui.undo.Undoable) the one Edit → Undo runs."""
        self.undo_offered.emit(undoable)

    # -- formatting (the data stays ISO; people read their locale) -----------------------
    def format_date(self, value: date | None) -> str:
        from stackadmin.ui.fmt import date_text

        return date_text(value)

    def format_money(self, money: Any) -> str:
        """A stackadmin.domain.money.Money in its own currency, in the user's locale."""
        if money is None:
            return ""
        return str(money.format(self.locale))
