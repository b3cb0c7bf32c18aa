"""What a sync would change, shown before it writes anything: an integration's first sync,
or one the brake stopped. Apply writes the accounts already fetched (no second fetch)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.filtertable import make_view
from stackadmin.ui.fmt import moment_text, plural
from stackadmin.ui.tablemodel import Column, RowTableModel, search_text

_ACTIONS = {"add": "add", "change": "change", "deprovision": "deprovision",
            "add person": "add person", "change person": "change person"}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return moment_text(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _fields(line: Any) -> str:
    if line.action.startswith("add"):  # a new record: what it will be
        return "; ".join(f"{name.replace('_', ' ')} {_value(after)}"
                         for name, _before, after in line.fields)
    return "; ".join(f"{name.replace('_', ' ')} {_value(before)} → {_value(after)}"
                     for name, before, after in line.fields)


def _columns() -> list[Column[Any]]:
    return [
        Column("Change", lambda line: _ACTIONS.get(line.action, line.action), width=110,
               warn=lambda line: line.action == "deprovision"),
        Column("Account", lambda line: line.account, width=240),
        Column("What changes (before → after)", _fields, tooltip=_fields),
    ]


class SyncPreviewDialog(QDialog):
    """`applied(force)` when the user agrees; nothing is written otherwise."""

    applied = Signal(bool)

    def __init__(self, preview: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        result = preview.result
        brake = preview.reason == "brake"
        self.setWindowTitle(f"The brake stopped {preview.name}" if brake
                            else f"Before the first sync of {preview.name}")
        self.resize(820, 520)
        intro = QLabel(self)
        intro.setWordWrap(True)
        intro.setObjectName("previewSummary")
        verb = "The sync fetched" if brake else "The first sync fetched"
        intro.setText(
            f"{verb} {plural(result.pages, 'page')} from the vendor. Applied "
            f"to {result.tool}, it would add {plural(result.added, 'account')}, change "
            f"{result.changed} and deprovision {result.deprovisioned} "
            f"({result.unchanged} unchanged). Nothing is written until you apply it.")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        if brake and preview.stopped is not None:
            warning = QLabel(preview.stopped.error or "", self)
            warning.setWordWrap(True)
            warning.setProperty("problem", True)
            warning.setObjectName("brakeWarning")
            layout.addWidget(warning)
        for notice in result.notices:
            note = QLabel(f"Note: {notice}", self)
            note.setWordWrap(True)
            note.setObjectName("count")
            layout.addWidget(note)
        self.model: RowTableModel[Any] = RowTableModel(_columns(), self)
        lines = list(result.lines)
        self.model.set_rows(lines, search_text(_columns(), lines), {})
        self.view = make_view(self.model, self)
        layout.addWidget(self.view, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.apply_button = QPushButton("Apply anyway" if brake else "Apply", self)
        self.apply_button.setObjectName("applyButton")
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.force = brake

    def _apply(self) -> None:
        self.applied.emit(self.force)
        self.accept()
