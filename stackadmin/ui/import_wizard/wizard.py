"""The import wizard: choose a file → check its columns → see every problem → import on a worker.

Every step that touches the file or the database (reading, checking, importing) runs as an
`env.run` job, so a 100,000-row file never freezes the window. The import itself is one
transaction in the service: Cancel sets a threading.Event that the service polls between
batches, and the service rolls everything back. The wizard is a non-modal dialog shown with
`show()` (never `exec()`), so tests drive it like a user without blocking.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.errors import describe_error
from stackadmin.ui.filedialogs import (
    PathAsker,
    PathRequest,
    ask_with_dialog,
    last_dir,
    remember_dir,
)
from stackadmin.ui.gcpause import gc_paused, thaw
from stackadmin.ui.import_wizard.pages import (
    PREVIEW_ROWS,
    CheckPage,
    ColumnsPage,
    Counts,
    FilePage,
    ImportPage,
    plural,
)

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.spreadsheets.importer import ImportFile, ImportOptions, ImportPlan
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

STEPS = ("File", "Columns", "Check", "Import")
FILE, COLUMNS, CHECK, IMPORT = range(4)
_ERROR_STYLE = ("#wizardError { background: #fde8e8; color: #7a1c1c; border: 1px solid "
                "#f5b5b5; border-radius: 4px; padding: 6px; }")


class ImportWizard(QDialog):
    """Shown by File → Import… and by the first-run panel. `imported` carries the committed
    ImportPlan. `ask_path` is swapped by tests (see filedialogs)."""

    imported = Signal(object)

    def __init__(self, env: Env, parent: QWidget | None = None, *,
                 ask_path: PathAsker | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.ask_path: PathAsker = ask_path or ask_with_dialog
        self.setWindowTitle("Import a spreadsheet")
        self.setObjectName("importWizard")
        self.resize(980, 700)
        self.file: ImportFile | None = None
        self.plan: ImportPlan | None = None  # the last check
        self.outcome: ImportPlan | None = None  # the import done
        self._overrides: dict[str, str] = {}  # header -> field ("" = ignore), chosen by hand
        self._cancel = threading.Event()
        self._job: Job | None = None  # the import job while it runs
        self._key = f"import-wizard-{id(self)}"
        self._busy_text = ""
        self.step = FILE

        self.steps_label = QLabel(self)
        self.steps_label.setObjectName("wizardSteps")
        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        self.stack = QStackedWidget(self)
        for page in (self.file_page, self.columns_page, self.check_page, self.import_page):
            self.stack.addWidget(page)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("wizardError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.hide()

        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.setTextVisible(False)
        self.busy_label = QLabel(self)
        self.back_button = QPushButton("< Back", self)
        self.next_button = QPushButton("Next >", self)
        self.import_button = QPushButton("Import", self)
        self.close_button = QPushButton("Close", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.busy_bar)
        buttons.addWidget(self.busy_label)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.import_button,
                       self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.addWidget(self.steps_label)
        layout.addSpacing(4)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)
        self.file_page.kind_changed.connect(self._kind_changed)
        self.file_page.path_changed.connect(lambda _p: self._update_buttons())
        self.file_page.choose_clicked.connect(self.choose_file)
        self.file_page.template_clicked.connect(self.save_template)
        self.columns_page.mapping.mapping_edited.connect(self.map_column)
        self.check_page.copy_button.clicked.connect(self.copy_problems)
        self.check_page.again_button.clicked.connect(self.read_again)
        self.import_page.cancel_button.clicked.connect(self.cancel_import)
        self.import_page.activity_button.clicked.connect(self.show_activity)
        env.tasks.finished.connect(self._job_finished)
        self._kind_changed(self.file_page.kind)
        self._set_busy("")
        self._show_step(FILE)
        self._load_tools()

    # -- step 1: the file --------------------------------------------------------------
    def set_kind(self, kind: str) -> None:
        self.file_page.set_kind(kind)

    def set_path(self, path: str | Path) -> None:
        self.file_page.set_path(str(path))

    def set_tool(self, name: str) -> None:
        self.file_page.set_tool(name)

    def _kind_changed(self, kind: str) -> None:
        from stackadmin.services.spreadsheets.importer import TEMPLATE_HEADERS

        self.file_page.show_template(TEMPLATE_HEADERS[kind])  # type: ignore[index]
        self.file, self.plan, self._overrides = None, None, {}

    def _load_tools(self) -> None:
        if not self.env.ready:
            return

        def work(ctx: ServiceContext, _job: Job) -> list[str]:
            from stackadmin.services.inventory.tools import list_tools

            return sorted((t.name for t in list_tools(ctx)), key=str.casefold)

        self.env.run(work, self.file_page.set_tools, self._show_error,
                     key=f"{self._key}-tools")

    def choose_file(self) -> None:
        request = PathRequest("Choose the file to import", last_dir(self.env.settings),
                              save=False, suffix="",
                              name_filter="CSV files (*.csv *.txt *.tsv);;All files (*)")
        self.ask_path(self, request, self._file_chosen)

    def _file_chosen(self, path: str) -> None:
        remember_dir(self.env.settings, path)
        self.set_path(path)

    def save_template(self) -> None:
        kind = self.file_page.kind
        request = PathRequest(f"Save the {kind} template", last_dir(self.env.settings),
                              suggested=f"stackadmin-{kind}.csv")
        self.ask_path(self, request, lambda path: self._write_template(kind, path))

    def _write_template(self, kind: str, path: str) -> None:
        from stackadmin.errors import UserError
        from stackadmin.services.spreadsheets.importer import template_path

        ctx = self.env.tasks.ctx
        try:
            if ctx is not None:
                ctx.output_path(path)  # never over the open database or its backups
            shutil.copyfile(template_path(kind), path)  # two short lines: no worker needed
        except UserError as exc:
            self._show_error_text(f"The template was not saved: {exc}.")
            return
        except OSError as exc:
            self._show_error_text(f"The template could not be saved to {path}: "
                                  f"{exc.strerror or exc}.")
            return
        remember_dir(self.env.settings, path)
        self.error_label.hide()
        self.env.message.emit(f"Saved the {kind} template to {path}.")

    # -- step 2: columns ---------------------------------------------------------------
    def map_column(self, header: str, target: str) -> None:
        """Reads the file's column `header` as field `target` ("" = ignore the column). The
        service decides: a field taken from another column leaves that one unmapped."""
        from stackadmin.services.spreadsheets.importer import fields, header_fields, remap

        if self.file is None:
            return
        try:
            self.file = remap(self.file, {header: target or None})
        except Exception as exc:  # a UserError in words; anything else is named as a bug
            self._show_error(exc)
            return
        self._overrides[header] = target
        self.plan = None
        self.columns_page.show_mapping(header_fields(self.file), fields(self.file.kind))

    def options(self) -> ImportOptions:
        from stackadmin.services.spreadsheets.importer import ImportOptions

        return ImportOptions(date_format=self.columns_page.date_format,
                             decimal_comma=self.columns_page.decimal_comma.isChecked(),
                             tool=self.file_page.tool or None)

    def _show_file(self, file: ImportFile) -> None:
        from stackadmin.services.spreadsheets.importer import fields, header_fields

        self.file = file
        self.columns_page.show_file(file.name, file.row_count, header_fields(file),
                                    file.preview(PREVIEW_ROWS), fields(file.kind))

    # -- step 3: check -----------------------------------------------------------------
    def problem_lines(self) -> list[str]:
        return self.check_page.problem_lines()

    def copy_problems(self) -> None:
        """The problems (or, when there are none, the warnings) to the clipboard."""
        lines = self.problem_lines() or [f"warning: {w}"
                                         for w in self.check_page.warning_lines()]
        QGuiApplication.clipboard().setText("\n".join(lines))
        what = (plural(self.check_page.problems.total, "problem") if self.problem_lines()
                else plural(len(lines), "warning"))
        self.env.message.emit(f"Copied {what}.")

    # -- step 4: import ----------------------------------------------------------------
    @property
    def importing(self) -> bool:
        return self._job is not None

    @property
    def can_import(self) -> bool:
        return (self.step == CHECK and self.plan is not None and self.plan.ok
                and bool(self.plan.changes) and not self._busy_text and not self.importing)

    def start_import(self) -> None:
        if not self.can_import or self.file is None:
            return
        file, options = self.file, self.options()
        self._cancel.clear()
        cancel = self._cancel

        def work(ctx: ServiceContext, job: Job) -> tuple[ImportPlan, Counts]:
            from stackadmin.services.running.adoption import refresh_snapshot
            from stackadmin.services.spreadsheets.importer import commit

            # Either Cancel stops it: the wizard's, or the main window's (job.cancel()).
            with gc_paused(freeze=True):
                plan = commit(ctx, file, options, progress=job.progress,
                              cancel=lambda: cancel.is_set() or job.is_cancelled)
            if plan.committed and plan.changes:  # as after a sync: today's adoption figures
                refresh_snapshot(ctx, "an import")
            return plan, Counts.of(plan)

        self.import_page.started(file.name)
        self._show_step(IMPORT)
        self._job = self.env.run(work, self._imported, self._import_failed,
                                 title=f"importing {file.kind.value}",
                                 progress=self.import_page.progressed)
        self._update_buttons()

    def cancel_import(self) -> None:
        if self.importing:
            self._cancel.set()  # a threading.Event: the worker polls it between batches
            self.import_page.cancelling()

    def _imported(self, result: tuple[ImportPlan, Counts]) -> None:
        plan, counts = result
        self._job = None
        self.outcome = plan
        self.import_page.finished(plan, counts)
        self._update_buttons()
        self.env.changed("*")
        self.env.message.emit(counts.summary + ".")
        self.imported.emit(plan)

    def show_activity(self) -> None:
        self.env.open_page("activity")
        self.accept()

    def _import_failed(self, exc: BaseException) -> None:
        from stackadmin.errors import ValidationError
        from stackadmin.services.spreadsheets.importer import ImportCancelled

        self._job = None
        if isinstance(exc, ImportCancelled):
            self._import_cancelled()
        elif isinstance(exc, ValidationError):
            # The inventory changed since the check: check again and show what is wrong now.
            self.env.message.emit("The inventory changed since the check; checking again.")
            self.check()
        else:
            self.import_page.stopped(f"<h3>✗ Not imported</h3>{describe_error(exc)}")
            self._update_buttons()

    def _import_cancelled(self) -> None:
        self.import_page.stopped("<h3>Import cancelled</h3>Nothing was written: the "
                                 "inventory is as it was before.")
        self._update_buttons()
        self.env.message.emit("Import cancelled; nothing was written.")

    def _job_finished(self, job: Job) -> None:
        # The main window's Cancel cancels the job itself; the runner then drops its outcome
        # (no callback), so the wizard learns of it here, once the worker has rolled back.
        if job is self._job and job.is_cancelled:
            self._job = None
            self._import_cancelled()

    # -- moving between steps ----------------------------------------------------------
    def next(self) -> None:
        if self._busy_text:
            return
        if self.step == FILE:
            self.read()
        elif self.step == COLUMNS:
            self.check()

    def back(self) -> None:
        if self._busy_text or self.importing:
            return
        if self.step == IMPORT:
            if self.outcome is not None:
                self.check()  # after an import the old check is stale
            else:
                self._show_step(CHECK)
        elif self.step in (COLUMNS, CHECK):
            self._show_step(self.step - 1)

    def read(self, then_check: bool = False) -> None:
        """Reads the file on a worker, keeping the columns mapped by hand that it still has;
        then shows the columns step (or checks at once)."""
        path = self.file_page.path
        if not path:
            self._show_error_text("Choose the file to import first.")
            return
        kind, overrides = self.file_page.kind, dict(self._overrides)

        def work(_ctx: ServiceContext, job: Job) -> tuple[ImportFile, dict[str, str]]:
            from stackadmin.services.spreadsheets.importer import read_file, remap

            with gc_paused(freeze=True):
                file = read_file(path, kind)
            job.check()
            kept = {h: f for h, f in overrides.items() if h in file.headers}
            if kept:
                file = remap(file, {h: f or None for h, f in kept.items()})
            return file, kept

        def done(result: tuple[ImportFile, dict[str, str]]) -> None:
            file, kept = result
            self._set_busy("")
            self._overrides, self.outcome = kept, None
            self._show_file(file)
            if then_check:
                self.check()
            else:
                self._show_step(COLUMNS)

        self._set_busy(f"Reading {Path(path).name}…")
        self.env.run(work, done, self._step_failed, title=f"reading {Path(path).name}",
                     key=f"{self._key}-read")

    def read_again(self) -> None:
        self.read(then_check=True)

    def check(self) -> None:
        """Validates the whole file on a worker (writes nothing); shows the check step."""
        if self.file is None:
            return
        file, options = self.file, self.options()

        def work(ctx: ServiceContext, _job: Job) -> tuple[ImportPlan, Counts]:
            from stackadmin.services.spreadsheets.importer import validate

            with gc_paused(freeze=True):
                plan = validate(ctx, file, options)
                return plan, Counts.of(plan)

        def done(result: tuple[ImportPlan, Counts]) -> None:
            plan, counts = result
            self._set_busy("")
            self.plan, self.outcome = plan, None
            self.check_page.show_plan(plan, counts)
            self._show_step(CHECK)

        self._set_busy(f"Checking {plural(file.row_count, 'row')}…")
        self.env.run(work, done, self._step_failed, title=f"checking {file.name}",
                     key=f"{self._key}-check")

    def _step_failed(self, exc: BaseException) -> None:
        self._set_busy("")
        self._show_error(exc)

    def _show_step(self, step: int) -> None:
        self.step = step
        self.stack.setCurrentIndex(step)
        parts = []
        for n, name in enumerate(STEPS):
            text = f"{n + 1}. {name}"
            parts.append(f"<b>{text}</b>" if n == step else
                         f"<span style='color:#888'>{text}</span>")
        self.steps_label.setText("  ›  ".join(parts))
        self.error_label.hide()
        self._update_buttons()

    def _set_busy(self, text: str) -> None:
        self._busy_text = text
        self.busy_label.setText(text)
        self.busy_label.setVisible(bool(text))
        self.busy_bar.setVisible(bool(text))
        if text:
            self.error_label.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = bool(self._busy_text) or self.importing
        step = self.step
        self.back_button.setVisible(step != FILE)
        self.back_button.setEnabled(not busy)
        self.next_button.setVisible(step in (FILE, COLUMNS))
        self.next_button.setText("Check the file >" if step == COLUMNS else "Next >")
        self.next_button.setEnabled(not busy and (step != FILE or bool(self.file_page.path)))
        self.import_button.setVisible(step == CHECK)
        self.import_button.setEnabled(self.can_import)
        self.check_page.again_button.setEnabled(not busy)
        self.close_button.setEnabled(not self.importing)
        self.close_button.setText("Done" if self.outcome is not None else "Close")
        # Enter presses the button that moves forward on this step.
        self.next_button.setDefault(step in (FILE, COLUMNS))
        self.import_button.setDefault(step == CHECK)
        self.close_button.setDefault(step == IMPORT)

    def _show_error(self, exc: BaseException) -> None:
        self._show_error_text(describe_error(exc))

    def _show_error_text(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    # -- closing -----------------------------------------------------------------------
    def reject(self) -> None:
        """Close, Esc or the window's close box. An import in progress is cancelled instead
        (QDialog's closeEvent sees the wizard still visible and ignores the close)."""
        if self.importing:
            self.cancel_import()
            return
        for job in ("read", "check", "tools"):
            self.env.tasks.cancel(f"{self._key}-{job}")
        super().reject()

    def done(self, code: int) -> None:
        super().done(code)
        # Drop the file and the plans (100,000 rows, maybe), then let the collector see what
        # the wizard's jobs froze.
        self.file = self.plan = self.outcome = None
        for model in (self.check_page.problems, self.check_page.changes,
                      self.import_page.changes):
            model.set_rows([])
        thaw()
