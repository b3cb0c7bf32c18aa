"""File menu: Import… (the import wizard) and Export ▸ finance, seats, access review, calendar.

`install_import_export(window, env)` is the one call that wires it in: it adds the actions to
the window's File menu (creating the menu if there is none) and sets `env.import_hook`, the
first-run panel's way to open the wizard. Each export asks for a path with a save dialog,
writes on a worker, and says in the status bar what was written; a UserError goes to the
error banner in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from stackadmin.ui import icons
from stackadmin.ui.errors import describe_error
from stackadmin.ui.filedialogs import (
    PathAsker,
    PathRequest,
    ask_with_dialog,
    last_dir,
    remember_dir,
)

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.import_wizard.wizard import ImportWizard
    from stackadmin.ui.tasks import Job

_CSV = "CSV files (*.csv);;All files (*)"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _finance(ctx: ServiceContext, path: Path) -> Any:
    from stackadmin.services.spreadsheets.exports import export_finance

    return export_finance(ctx, path)


def _finance_text(env: Env, outcome: Any) -> str:
    result, report = outcome
    text = (f"Finance CSV: {_plural(result.rows, 'term')} in force on "
            f"{env.format_date(report.as_of)} written to {result.path}.")
    by_currency = list(report.annual_by_currency.values())
    if report.annual_total_base is not None:
        text += f" Annual cost: {env.format_money(report.annual_total_base)}"
        if len(by_currency) > 1 or (by_currency
                                    and by_currency[0].currency != report.base_currency):
            text += f" ({', '.join(env.format_money(m) for m in by_currency)})"
        text += "."
    elif by_currency:
        text += (f" Annual cost by currency: {', '.join(env.format_money(m) for m in by_currency)}"
                 f". No total in {report.base_currency}: no exchange rate for "
                 f"{', '.join(report.missing_rates)}.")
    return text


def _seats(ctx: ServiceContext, path: Path) -> Any:
    from stackadmin.services.spreadsheets.exports import export_seats

    return export_seats(ctx, path)


def _access(ctx: ServiceContext, path: Path) -> Any:
    from stackadmin.services.spreadsheets.exports import export_access_review

    return export_access_review(ctx, path)


def _people(ctx: ServiceContext, path: Path) -> Any:
    from stackadmin.services.spreadsheets.exports import export_people

    return export_people(ctx, path)


def _calendar(ctx: ServiceContext, path: Path) -> Any:
    from stackadmin.services.renewals.calendar import export_calendar

    return export_calendar(ctx, path)


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str  # the menu item
    what: str  # for the job title and messages
    stem: str  # the suggested file name, before the date
    suffix: str
    name_filter: str
    work: Callable[[ServiceContext, Path], Any]
    describe: Callable[[Env, Any], str]


EXPORTS: tuple[ExportKind, ...] = (
    ExportKind("finance", "Finance CSV…", "finance CSV", "finance", "csv", _CSV, _finance,
               _finance_text),
    ExportKind("seats", "Seats CSV…", "seats CSV", "seats", "csv", _CSV, _seats,
               lambda env, r: f"Seats CSV: {_plural(r.rows, 'account')} written to {r.path}."),
    ExportKind("access-review", "Access review CSV…", "access review CSV", "access-review",
               "csv", _CSV, _access,
               lambda env, r: f"Access review CSV: {_plural(r.rows, 'person')} with access "
                              f"written to {r.path}."),
    ExportKind("people", "People CSV…", "people CSV", "people", "csv", _CSV, _people,
               lambda env, r: f"People CSV: {_plural(r.rows, 'person')} written to {r.path}."),
    ExportKind("calendar", "Renewals calendar (.ics)…", "renewals calendar", "renewals", "ics",
               "Calendar files (*.ics);;All files (*)", _calendar,
               lambda env, r: f"Renewals calendar: {_plural(r.events, 'event')} for "
                              f"{_plural(r.terms, 'term')} written to {r.path}."),
)


def _file_menu(window: QMainWindow) -> tuple[QMenu, bool]:
    """The window's File menu, or a new one placed first; True when it was created here."""
    bar = window.menuBar()
    for action in bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == "File":
            return menu, False
    menu = QMenu("&File", bar)
    menu.setObjectName("fileMenu")
    first = bar.actions()[0] if bar.actions() else None
    if first is not None:
        bar.insertMenu(first, menu)
    else:
        bar.addMenu(menu)
    return menu, True


class ImportExport(QObject):
    """Owns the File menu's import and export actions. `ask_path` (a filedialogs.PathAsker)
    is what asks for file paths: tests replace it."""

    def __init__(self, window: QMainWindow, env: Env) -> None:
        super().__init__(window)
        self.setObjectName("importExport")
        self.window, self.env = window, env
        self.ask_path: PathAsker = ask_with_dialog
        self.wizard: ImportWizard | None = None
        self.menu, created = _file_menu(window)

        # No icon yet: QtSvg is imported only after the first paint (icons.py); the menu sets
        # it when first shown.
        self.import_action = QAction("&Import…", self)
        self.import_action.setObjectName("importAction")
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.setStatusTip("Import subscriptions, people or accounts from a "
                                        "CSV file")
        self.import_action.triggered.connect(self.open_import)
        self.export_menu = QMenu("&Export", self.menu)
        self.export_menu.setObjectName("exportMenu")
        self.export_actions: dict[str, QAction] = {}
        for kind in EXPORTS:
            action = QAction(kind.label, self)
            action.setObjectName(f"export-{kind.key}")
            action.triggered.connect(lambda _checked=False, k=kind: self.export(k))
            self.export_menu.addAction(action)
            self.export_actions[kind.key] = action

        if self.menu.actions():  # a File menu made by someone else: ours go first
            first = self.menu.actions()[0]
            self.menu.insertAction(first, self.import_action)
            self.menu.insertMenu(first, self.export_menu)
            self.menu.insertSeparator(first)
        else:
            self.menu.addAction(self.import_action)
            self.menu.addMenu(self.export_menu)
        if created:
            quit_action = QAction("&Quit", self)
            quit_action.setShortcut(QKeySequence.StandardKey.Quit)
            quit_action.triggered.connect(window.close)
            self.menu.addSeparator()
            self.menu.addAction(quit_action)
        self.menu.aboutToShow.connect(self._about_to_show)
        window.addAction(self.import_action)  # the shortcut works with the menu closed
        self._enable()

    def _about_to_show(self) -> None:
        if self.import_action.icon().isNull():
            self.import_action.setIcon(icons.icon("import"))
        self._enable()

    def _enable(self) -> None:
        ready = self.env.ready
        self.import_action.setEnabled(ready)
        self.export_menu.setEnabled(ready)

    # -- import ------------------------------------------------------------------------
    def open_import(self) -> ImportWizard | None:
        """Shows the import wizard (the one already open, if any)."""
        if not self.env.ready:
            self.env.message.emit("The database is not open yet.")
            return None
        from stackadmin.ui.import_wizard.wizard import ImportWizard

        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()  # one wizard at a time: bring the open one forward
            self.wizard.activateWindow()
            return self.wizard
        self.wizard = ImportWizard(self.env, self.window, ask_path=self.ask_path)
        self.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard.destroyed.connect(self._wizard_gone)
        self.wizard.show()
        return self.wizard

    def _wizard_gone(self, *_args: Any) -> None:
        self.wizard = None

    # -- export ------------------------------------------------------------------------
    def export(self, kind: ExportKind | str) -> None:
        """Asks where to save, then writes the export on a worker."""
        spec = kind if isinstance(kind, ExportKind) else next(k for k in EXPORTS
                                                              if k.key == kind)
        if not self.env.ready:
            self.env.message.emit("The database is not open yet.")
            return
        suggested = f"{spec.stem}-{self.env.today().isoformat()}.{spec.suffix}"
        request = PathRequest(f"Export the {spec.what}", last_dir(self.env.settings),
                              suggested=suggested, name_filter=spec.name_filter,
                              suffix=spec.suffix)
        self.ask_path(self.window, request, lambda path: self.write(spec, path))

    def write(self, spec: ExportKind, path: str) -> Job | None:
        if not path:
            return None
        target = Path(path)
        remember_dir(self.env.settings, path)

        def work(ctx: ServiceContext, _job: Job) -> Any:
            from stackadmin.errors import UserError

            try:
                return spec.work(ctx, target)
            except OSError as exc:  # a full disk, no permission: the user's to fix
                raise UserError(f"{target} cannot be written: {exc.strerror or exc}") from None

        def done(outcome: Any) -> None:
            self.env.message.emit(spec.describe(self.env, outcome))

        def failed(exc: BaseException) -> None:
            self.env.error.emit(f"The {spec.what} was not written: {describe_error(exc)}")

        return self.env.run(work, done, failed, title=f"exporting the {spec.what}")


def install_import_export(window: QMainWindow, env: Env) -> ImportExport:
    """Adds File → Import… / Export ▸ to the window and lets the first-run panel open the
    import wizard."""
    controller = ImportExport(window, env)
    env.import_hook = controller.open_import
    return controller
