"""Importing a feedback round in the window: the file's columns with how each is read (change
any), the round's name, then a check of every row. Import stays disabled until the check
finds no problem; all or nothing, as on the command line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from stackadmin.services.buying.feedback_import import FeedbackColumns, FeedbackImport
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

_FIELDS = (("", "ignore this column"), ("email", "respondent's email"), ("tool", "tool"),
           ("score", "score (1–5)"), ("comment", "comment"))


_MAP_HINT = re.compile(r"(?::|,)? ?(?:map it with|\(or map one with|or map the column with) "
                       r"--map .*$")


def in_window(problem: str) -> str:
    """A problem as the command line words it, with its `--map` advice said for this
    dialog, where columns are chosen above."""
    return _MAP_HINT.sub("; choose how each column is read above", problem)


class FeedbackImportDialog(QDialog):
    """`columns` from `read_columns`; `rounds` the rounds held so far (newest first)."""

    imported = Signal(object)

    def __init__(self, env: Env, path: str, columns: FeedbackColumns, rounds: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env, self.path, self.columns = env, path, columns
        self.result_: FeedbackImport | None = None
        self.setWindowTitle(f"Import feedback: {columns.file}")
        self.setMinimumWidth(640)
        self.round_box = QComboBox(self)
        self.round_box.setEditable(True)
        self.round_box.addItems(list(rounds))
        self.round_box.setCurrentText(rounds[0] if rounds else "")
        self.round_box.lineEdit().setPlaceholderText("e.g. 2027 H1 tool survey")
        self.round_box.currentTextChanged.connect(lambda _t: self.check())
        self.maps: dict[str, QComboBox] = {}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for n, header in enumerate(columns.headers):
            combo = QComboBox(self)
            for value, text in _FIELDS:
                combo.addItem(text, value)
            for tool in columns.tools:
                combo.addItem(f"score of {tool}", f"score:{tool}")
            for tool in columns.tools:
                combo.addItem(f"comment on {tool}", f"comment:{tool}")
            detected = columns.mapping.get(header)
            combo.insertItem(0, "— not known: choose —", None)
            found = combo.findData(detected) if detected is not None else 0
            combo.setCurrentIndex(max(found, 0))
            combo.currentIndexChanged.connect(lambda _n: self.check())
            name = QLabel(header or "(no header)", self)
            name.setWordWrap(True)
            grid.addWidget(name, n, 0)
            grid.addWidget(combo, n, 1)
            self.maps[header] = combo
        holder = QWidget(self)
        holder.setLayout(grid)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        scroll.setMaximumHeight(260)
        self.report = QPlainTextEdit(self)
        self.report.setReadOnly(True)
        self.report.setMinimumHeight(140)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Round", self.round_box)
        layout = QVBoxLayout(self)
        rows = f"{columns.rows:,} row{'s' if columns.rows != 1 else ''}"
        layout.addWidget(QLabel(f"{rows} in {columns.file}. How each column is read:", self))
        layout.addWidget(scroll)
        layout.addLayout(form)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.buttons)
        self.check()

    def overrides(self) -> dict[str, str | None]:
        """Every column as chosen here (the detection is only the starting point)."""
        out: dict[str, str | None] = {}
        for header, combo in self.maps.items():
            value = combo.currentData()
            if value is not None:
                out[header] = value or None
        return out

    def _job(self, dry_run: bool) -> Any:
        round_name, path, overrides = self.round_box.currentText(), self.path, \
            self.overrides()

        def work(ctx: ServiceContext, job: Job) -> FeedbackImport:
            from stackadmin.services.buying.feedback_import import import_feedback

            return import_feedback(ctx, round_name, path, overrides=overrides,
                                   dry_run=dry_run)

        return work

    def check(self) -> None:
        self.import_button.setEnabled(False)
        if not self.round_box.currentText().strip():
            self.report.setPlainText("Name the round first.")
            return
        self.env.run(self._job(True), self._checked, self._failed,
                     key=f"feedback-check:{id(self)}")

    def _checked(self, result: FeedbackImport) -> None:
        self.result_ = result
        if result.problems:
            count = len(result.problems)
            self.report.setPlainText(f"{count} problem{'s' if count != 1 else ''}; nothing "
                                     "can be imported until they are fixed:\n"
                                     + "\n".join(in_window(str(p)) for p in result.problems))
            return
        self.report.setPlainText(result.summary() + ".\n" + "\n".join(
            str(c) for c in result.changes[:200]))
        self.import_button.setEnabled(bool(result.changes))

    def _failed(self, exc: BaseException) -> None:
        from stackadmin.ui.errors import describe_error

        self.report.setPlainText(describe_error(exc))

    def run_import(self) -> None:
        self.import_button.setEnabled(False)
        self.env.run(self._job(False), self._done, self._failed, title="importing feedback")

    def _done(self, result: FeedbackImport) -> None:
        if result.problems:
            self._checked(result)
            return
        self.env.message.emit(result.summary() + ".")
        self.imported.emit(result)  # before the pages reload: they may show its round
        self.env.changed("feedback")
        self.accept()
