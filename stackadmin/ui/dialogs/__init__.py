"""Edit dialogs: a form of fields whose problems are shown in words next to the field.

The dialog saves through a service call on a worker; a ValidationError's problems are mapped
to the fields they name (the field whose words appear first in the sentence), anything
unmatched is shown above the form. Nothing is saved unless the service accepts everything.

An edit dialog carries the record's version (optimistic locking): when someone else saved
the record after the dialog opened, the service refuses the save, the dialog says so above
the form and keeps what the user typed; saving again then replaces the other changes
knowingly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.fmt import date_format, date_text, parse_date_text

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job


@dataclass(frozen=True)
class Field:
    """One input. `name` is the service's keyword; `words` are what the service's problem
    sentences call it (default: the label, lower-cased)."""

    name: str
    label: str
    kind: str = "text"  # text, int, choice, edit_choice, date, bool, multiline
    choices: Sequence[str] = ()
    words: Sequence[str] = ()
    placeholder: str = ""
    help: str = ""

    def match_words(self) -> list[str]:
        return [w.lower() for w in (self.words or (self.label.lower(),))]


class FormDialog(QDialog):
    """`save(ctx, values) -> result` runs on a worker; `saved` is emitted with its result
    and the dialog closes. Problems stay in the dialog, next to their fields."""

    saved = Signal(object)
    # The key under which submit() hands the record's version to `save` (the services'
    # keyword for it).
    VERSION_KEY = "expected_version"

    def __init__(self, env: Env, title: str, fields: Sequence[Field], values: dict[str, Any],
                 save: Callable[[ServiceContext, dict[str, Any]], Any],
                 parent: QWidget | None = None, *, intro: str = "",
                 changed: str = "", version: int | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.version = version
        self.fields = list(fields)
        self.save_fn = save
        self.changed_entity = changed
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.inputs: dict[str, QWidget] = {}
        self.problem_labels: dict[str, QLabel] = {}
        self.general = QLabel(self)
        self.general.setWordWrap(True)
        self.general.setProperty("problem", True)
        self.general.hide()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for field in self.fields:
            widget = self._make_input(field, values.get(field.name))
            self.inputs[field.name] = widget
            problem = QLabel(self)
            problem.setWordWrap(True)
            problem.setProperty("problem", True)
            problem.setStyleSheet("color: #c62828;")
            problem.hide()
            self.problem_labels[field.name] = problem
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            if field.help:
                hint = QLabel(field.help, self)
                hint.setObjectName("count")
                hint.setWordWrap(True)
                box.addWidget(hint)
            box.addWidget(problem)
            form.addRow(field.label, box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if intro:
            text = QLabel(intro, self)
            text.setWordWrap(True)
            layout.addWidget(text)
        layout.addWidget(self.general)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    # -- inputs --------------------------------------------------------------------------
    def _make_input(self, field: Field, value: Any) -> QWidget:
        if field.kind == "bool":
            check = QCheckBox(self)
            check.setChecked(bool(value))
            return check
        if field.kind in ("choice", "edit_choice"):
            combo = QComboBox(self)
            combo.setEditable(field.kind == "edit_choice")
            combo.addItems([str(c) for c in field.choices])
            if value is not None:
                text = str(value)
                if combo.findText(text) < 0:
                    combo.addItem(text)
                combo.setCurrentText(text)
            elif field.kind == "edit_choice":
                combo.setCurrentText("")
            return combo
        if field.kind == "multiline":
            edit = QPlainTextEdit(self)
            edit.setPlainText("" if value is None else str(value))
            edit.setFixedHeight(70)
            return edit
        line = QLineEdit(self)
        if field.kind == "date":
            line.setText(date_text(value) if value is not None else "")
            sample = date_text(QDate(2026, 12, 31).toPython())
            line.setPlaceholderText(field.placeholder or f"{date_format().lower()} "
                                    f"(e.g. {sample}) or YYYY-MM-DD")
        else:
            line.setText("" if value is None else str(value))
            line.setPlaceholderText(field.placeholder)
        return line

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in self.fields:
            widget = self.inputs[field.name]
            if isinstance(widget, QCheckBox):
                out[field.name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                out[field.name] = widget.currentText().strip()
            elif isinstance(widget, QPlainTextEdit):
                out[field.name] = widget.toPlainText()
            elif isinstance(widget, QLineEdit):
                text = widget.text()
                out[field.name] = parse_date_text(text) if field.kind == "date" else text
        return out

    def set_value(self, name: str, value: Any) -> None:
        """Fills one input as a user would (tests, and dialogs that pre-fill)."""
        widget = self.inputs[name]
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentText(str(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))

    # -- saving --------------------------------------------------------------------------
    def submit(self) -> None:
        self.clear_problems()
        values = self.values()
        if self.version is not None:
            values[self.VERSION_KEY] = self.version
        save = self.save_fn
        self.buttons.setEnabled(False)

        def work(ctx: ServiceContext, job: Job) -> Any:
            return save(ctx, values)

        self.env.run(work, self._saved, self._failed, key=f"dialog:{id(self)}")

    def _saved(self, result: Any) -> None:
        self.buttons.setEnabled(True)
        if self.changed_entity:
            self.env.changed(self.changed_entity)
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        from stackadmin.errors import StaleRecordError, UserError, ValidationError
        from stackadmin.ui.mainwindow import describe_error

        self.buttons.setEnabled(True)
        if isinstance(exc, StaleRecordError):
            self.version = exc.current_version  # a second Save is a deliberate overwrite
            self.show_conflict(str(exc))
        elif isinstance(exc, ValidationError):
            self.show_problems(exc.problems)
        elif isinstance(exc, UserError):
            self.show_problems([str(exc)])
        else:
            self.show_problems([describe_error(exc)])

    def show_conflict(self, text: str) -> None:
        """Someone else saved the record meanwhile: said above the form, input kept."""
        self.general.setText(f"{_sentence(text)}.\nYour entries are still here: Save again to "
                             "replace their changes with yours, or Cancel to keep theirs.")
        self.general.show()

    def conflict_text(self) -> str:
        return self.general.text() if not self.general.isHidden() else ""

    def clear_problems(self) -> None:
        self.general.hide()
        self.general.clear()
        for label in self.problem_labels.values():
            label.hide()
            label.clear()

    def show_problems(self, problems: Sequence[str]) -> None:
        by_field: dict[str, list[str]] = {}
        general: list[str] = []
        for problem in problems:
            name = self.field_for(problem)
            if name is None:
                general.append(problem)
            else:
                by_field.setdefault(name, []).append(problem)
        for name, texts in by_field.items():
            label = self.problem_labels[name]
            label.setText("\n".join(_sentence(t) for t in texts))
            label.show()
        if general:
            self.general.setText("\n".join(_sentence(t) for t in general))
            self.general.show()
        first = next(iter(by_field), None)
        if first is not None:
            self.inputs[first].setFocus()

    def field_for(self, problem: str) -> str | None:
        """The field whose words appear earliest in the problem sentence."""
        text = problem.lower()
        best: tuple[int, str] | None = None
        for field in self.fields:
            for word in field.match_words():
                at = text.find(word)
                if at >= 0 and (best is None or at < best[0]):
                    best = (at, field.name)
        return None if best is None else best[1]

    def problem_text(self, name: str) -> str:
        label = self.problem_labels[name]
        return label.text() if not label.isHidden() else ""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def confirm(parent: QWidget, title: str, text: str, *, action: str = "Delete") -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel,
                      parent)
    ok = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ok


def blank_to_none(values: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        if isinstance(values.get(name), str) and not values[name].strip():
            values[name] = None
    return values
