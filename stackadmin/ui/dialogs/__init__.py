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

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.dialogs.fields import DateField, currency_items
from stackadmin.ui.fmt import parse_date_text

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
    kind: str = "text"  # text, int, choice, edit_choice, date, bool, multiline, currency
    # A choice's entries: values, or (value, words) pairs shown as the words.
    choices: Sequence[str | tuple[str, str]] = ()
    words: Sequence[str] = ()
    placeholder: str = ""
    help: str = ""

    def match_words(self) -> list[str]:
        return [w.lower() for w in (self.words or (self.label.lower(),))]


class FormDialog(QDialog):
    """`save(ctx, values) -> result` runs on a worker; `saved` is emitted with its result
    and the dialog closes. Problems stay in the dialog, next to their fields."""

    saved = Signal(object)
    problems_shown = Signal(list)  # the problem sentences, after they are shown
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
        self.inputs: dict[str, QWidget] = {}
        self.problem_labels: dict[str, QLabel] = {}
        self.field_boxes: dict[str, QVBoxLayout] = {}
        self.general = QLabel(self)
        self.general.setWordWrap(True)
        self.general.setProperty("problem", True)
        self.general.hide()
        # The fields scroll inside the dialog (a 15-field term is taller than a small
        # screen); the buttons stay below them, never on top of a field.
        self.form_box = QWidget(self)
        self.form_box.setMinimumWidth(480)
        form = QFormLayout(self.form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setContentsMargins(0, 0, 4, 0)
        self.form = form
        for field in self.fields:
            widget = self._make_input(field, values.get(field.name))
            self.inputs[field.name] = widget
            problem = QLabel(self.form_box)
            problem.setWordWrap(True)
            problem.setProperty("problem", True)
            problem.setStyleSheet("color: #c62828;")
            problem.hide()
            self.problem_labels[field.name] = problem
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            if field.help:
                hint = QLabel(field.help, self.form_box)
                hint.setObjectName("count")
                hint.setWordWrap(True)
                box.addWidget(hint)
            box.addWidget(problem)
            self.field_boxes[field.name] = box
            form.addRow(field.label, box)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.form_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        # The dialog is never smaller than what its layout needs: problems shown under
        # the fields make it grow instead of squeezing the fields under the buttons.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        if intro:
            text = QLabel(intro, self)
            text.setWordWrap(True)
            layout.addWidget(text)
        layout.addWidget(self.general)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.buttons)
        self.fit()

    def fit(self) -> None:
        """The fields' area as tall as the fields, up to most of the screen (then it
        scrolls); called again whenever problems appear or go, or a line is added."""
        self.form_box.layout().activate()
        for label in self.problem_labels.values():
            # As tall as the problem wraps at its width (a form layout gave a three-line
            # problem two lines' height, under a narrow drop-down).
            if not label.isHidden() and label.width() > 0:
                label.setMinimumHeight(max(label.heightForWidth(label.width()), 0))
            elif label.isHidden():
                label.setMinimumHeight(0)
        self.form_box.layout().activate()
        need = self.form_box.sizeHint().height()
        screen = self.screen() or (self.parentWidget().screen() if self.parentWidget() else None)
        cap = int(screen.availableGeometry().height() * 0.7) if screen is not None else 600
        self.scroll.setMinimumHeight(min(need, cap))
        wide = max(self.form_box.minimumWidth(), self.form_box.minimumSizeHint().width())
        self.scroll.setMinimumWidth(wide + self.scroll.verticalScrollBar().sizeHint().width())
        self._fit_lines(wide)

    def _fit_lines(self, wide: int) -> None:
        """Wrapped lines around the fields (the intro, problems of no one field, a note a
        form adds) as tall as their text needs at the dialog's width: a layout counts
        such a line at its unwrapped height, and the buttons then covered the fields."""
        layout = self.layout()
        if layout is None:
            return
        for n in range(layout.count()):
            label = layout.itemAt(n).widget()
            if isinstance(label, QLabel) and label.wordWrap() and not label.isHidden():
                width = label.width() if self.isVisible() and label.width() > 0 else wide
                label.setMinimumHeight(max(label.heightForWidth(width), 0))  # -1: no text
        layout.activate()
        if self.isVisible() and self.height() < self.minimumHeight():
            self.resize(self.width(), self.minimumHeight())

    # -- inputs --------------------------------------------------------------------------
    def _make_input(self, field: Field, value: Any) -> QWidget:
        if field.kind == "bool":
            check = QCheckBox(self)
            check.setChecked(bool(value))
            return check
        if field.kind == "currency":
            combo = QComboBox(self)
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            for code, text in currency_items(str(value) if value else None):
                combo.addItem(text, code)
            completer = combo.completer()
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            combo.setCurrentIndex(max(combo.findData(str(value)), 0) if value else -1)
            return combo
        if field.kind in ("choice", "edit_choice"):
            combo = QComboBox(self)
            combo.setEditable(field.kind == "edit_choice")
            for choice in field.choices:
                code, text = choice if isinstance(choice, tuple) else (str(choice), str(choice))
                combo.addItem(text, code)
            if value is not None:
                self._choose(combo, str(value))
            elif field.kind == "edit_choice":
                combo.setCurrentText("")
            return combo
        if field.kind == "multiline":
            edit = QPlainTextEdit(self)
            edit.setPlainText("" if value is None else str(value))
            edit.setFixedHeight(70)
            return edit
        if field.kind == "date":
            return DateField(value, field.placeholder, self)
        line = QLineEdit(self)
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
                out[field.name] = combo_value(widget, field.kind)
            elif isinstance(widget, QPlainTextEdit):
                out[field.name] = widget.toPlainText()
            elif isinstance(widget, DateField):
                out[field.name] = parse_date_text(widget.text())
            elif isinstance(widget, QLineEdit):
                out[field.name] = widget.text()
        return out

    @staticmethod
    def _choose(combo: QComboBox, value: str) -> None:
        """Selects the entry whose value (or words) is `value`; an unknown value is added."""
        n = combo.findData(value)
        if n < 0:
            n = combo.findText(value)
        if n < 0 and combo.isEditable():
            combo.setCurrentText(value)
            return
        if n < 0:
            combo.addItem(value, value)
            n = combo.count() - 1
        combo.setCurrentIndex(n)

    def set_value(self, name: str, value: Any) -> None:
        """Fills one input as a user would (tests, and dialogs that pre-fill)."""
        widget = self.inputs[name]
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            if widget.isEditable() and widget.findData(str(value)) < 0:
                widget.setCurrentText(str(value))
            else:
                self._choose(widget, str(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        elif isinstance(widget, DateField):
            widget.set_value(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))

    def add_field_note(self, name: str, text: str) -> QLabel:
        """A line of explanation under a field (why it holds what it holds)."""
        note = QLabel(text, self.form_box)
        note.setObjectName("count")
        note.setWordWrap(True)
        self.field_boxes[name].addWidget(note)
        note.show()  # a late child is shown on a queued call: count it now
        self.fit()
        return note

    def add_field_action(self, name: str, text: str, slot: Callable[[], Any]) -> QPushButton:
        """A button under a field (after its problem): what to do about that problem."""
        button = QPushButton(text, self.form_box)
        button.clicked.connect(lambda _c=False: slot())
        self.field_boxes[name].addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        button.show()
        self.fit()
        return button

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
        from stackadmin.ui.errors import describe_error

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
        self.fit()

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
        self.fit()
        first = next(iter(by_field), None)
        if first is not None:
            self.inputs[first].setFocus()
            self.scroll.ensureWidgetVisible(self.problem_labels[first])
        self.problems_shown.emit(list(problems))

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


def combo_value(combo: QComboBox, kind: str) -> str:
    """A drop-down's value: the chosen entry's value (not its words); what was typed in an
    editable one (a currency as its code: 'EUR — Euro' is 'EUR')."""
    text = combo.currentText().strip()
    n = combo.currentIndex()
    if n >= 0 and combo.itemText(n) == combo.currentText() and combo.itemData(n) is not None:
        return str(combo.itemData(n))
    if kind == "currency":
        return text.split("—")[0].strip()
    return text


def _sentence(text: str) -> str:
    """A problem as a form shows it: a capital first, and a date asked for in the form its
    field takes (the user's format, or the calendar), not the ISO form the CLI takes."""
    from stackadmin.ui.fmt import date_format, dates_as_shown

    text = text.replace("in the form YYYY-MM-DD",
                        f"in the form {date_format().lower()} (or pick it from the calendar)")
    text = dates_as_shown(text)  # as the fields show dates
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
