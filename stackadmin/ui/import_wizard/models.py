"""Table models of the import wizard: the column mapping (editable), the preview, problems, changes.

Plain data in (header/field pairs, preview tuples, the service's Problem and Change
dataclasses); Qt only here. Imports nothing from the data stack at module level.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from stackadmin.ui.tablemodel import Column, RowTableModel

if TYPE_CHECKING:
    from stackadmin.services.spreadsheets.importer import Change, FieldSpec, Problem

# Roles bound once: the enum lookup on every call is slow.
DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole
EDIT_ROLE = Qt.ItemDataRole.EditRole
TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole
FOREGROUND_ROLE = Qt.ItemDataRole.ForegroundRole
HORIZONTAL = Qt.Orientation.Horizontal
VERTICAL = Qt.Orientation.Vertical
_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable

IGNORE_LABEL = "(ignore this column)"
UNMAPPED_LABEL = "not a known column: choose a field or ignore it"
_MUTED_COLOR = QColor(128, 128, 128)
_RED_ON_LIGHT, _RED_ON_DARK = QColor(176, 32, 32), QColor(248, 113, 113)


def dark_palette() -> bool:
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def problem_color() -> QColor:
    """Red that reads on the palette in use (the dark one needs a lighter red)."""
    return _RED_ON_DARK if dark_palette() else _RED_ON_LIGHT


def field_label(spec: FieldSpec) -> str:
    return f"{spec.name} (required)" if spec.required else spec.name


class MappingModel(QAbstractTableModel):
    """One row per column of the file: its header, the field it is read as, example values.
    The "Imported as" column is editable (a field name, or "" to ignore the column); an edit
    is not applied here but announced with `mapping_edited`: the service's `remap` decides
    (it may unmap another column that had the field) and `set_mapping` shows the outcome."""

    HEADERS = ("Column in the file", "Imported as", "Examples")
    FIELD_COLUMN = 1
    mapping_edited = Signal(str, str)  # header, field name ("" = ignore)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._targets: list[str | None] = []
        self._examples: list[str] = []
        self._fields: dict[str, FieldSpec] = {}

    def set_file(self, pairs: Sequence[tuple[str, str | None]],
                 preview: Sequence[tuple[int, Sequence[str]]],
                 fields: Sequence[FieldSpec]) -> None:
        self.beginResetModel()
        self._headers = [h for h, _ in pairs]
        self._targets = [t for _, t in pairs]
        self._fields = {f.name: f for f in fields}
        self._examples = []
        for i in range(len(self._headers)):
            seen: list[str] = []
            for _n, cells in preview:
                value = cells[i].strip() if i < len(cells) else ""
                if value and value not in seen:
                    seen.append(value)
                if len(seen) == 3:
                    break
            self._examples.append(", ".join(v if len(v) <= 30 else v[:29] + "…" for v in seen))
        self.endResetModel()

    def set_mapping(self, pairs: Sequence[tuple[str, str | None]]) -> None:
        """The same headers, mapped anew (after a remap)."""
        self._targets = [t for _, t in pairs]
        if self._targets:
            self.dataChanged.emit(self.index(0, self.FIELD_COLUMN),
                                  self.index(len(self._targets) - 1, self.FIELD_COLUMN))

    def fields(self) -> list[FieldSpec]:
        return list(self._fields.values())

    def header_at(self, row: int) -> str:
        return self._headers[row]

    def target_at(self, row: int) -> str | None:
        return self._targets[row]

    def row_of(self, header: str) -> int:
        return self._headers.index(header)

    # -- QAbstractTableModel -----------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or index.row() >= len(self._headers):
            return None
        row, column = index.row(), index.column()
        target = self._targets[row]
        if column == 0:
            if role == DISPLAY_ROLE:
                return self._headers[row] or "(no header)"
            return None
        if column == 2:
            if role == DISPLAY_ROLE:
                return self._examples[row]
            if role == FOREGROUND_ROLE:
                return _MUTED_COLOR
            return None
        if role == DISPLAY_ROLE:
            if target is None:
                return UNMAPPED_LABEL
            spec = self._fields.get(target)
            return field_label(spec) if spec else (target or IGNORE_LABEL)
        if role == EDIT_ROLE:
            return target  # None: unmapped, "": ignored
        if role == TOOLTIP_ROLE:
            if target is None:
                return "stackadmin does not know this column: choose the field it holds."
            spec = self._fields.get(target)
            return spec.help if spec else "This column is not imported."
        if role == FOREGROUND_ROLE:
            if target is None:
                return problem_color()
            return _MUTED_COLOR if target == "" else None
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = EDIT_ROLE) -> bool:
        if (role != EDIT_ROLE or not index.isValid() or index.column() != self.FIELD_COLUMN
                or index.row() >= len(self._headers)):
            return False
        target = "" if value is None else str(value)
        if target and target not in self._fields:
            return False
        if target == self._targets[index.row()]:
            return True
        self.mapping_edited.emit(self._headers[index.row()], target)
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY_ROLE) -> Any:
        if orientation == HORIZONTAL and role == DISPLAY_ROLE and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _EDITABLE if index.column() == self.FIELD_COLUMN else _READ_ONLY


class FieldDelegate(QStyledItemDelegate):
    """The "Imported as" cell as a combo box: "(ignore this column)" then every field of the
    import, required ones marked, each with its help as a tooltip. Choosing commits at once."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName("fieldCombo")
        combo.setPlaceholderText("choose a field…")
        combo.addItem(IGNORE_LABEL, "")
        model = index.model()
        specs = model.fields() if isinstance(model, MappingModel) else []
        for spec in specs:
            combo.addItem(field_label(spec), spec.name)
            combo.setItemData(combo.count() - 1, spec.help, TOOLTIP_ROLE)
        combo.activated.connect(lambda _n: self.commitData.emit(combo))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if not isinstance(editor, QComboBox):
            return
        target = index.data(EDIT_ROLE)
        # -1 shows the placeholder: an unmapped column has no choice yet.
        editor.setCurrentIndex(-1 if target is None else editor.findData(target))

    def setModelData(self, editor: QWidget, model: Any,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox) and editor.currentIndex() >= 0:
            model.setData(index, editor.currentData(), EDIT_ROLE)


class PreviewModel(QAbstractTableModel):
    """The first rows of the file as read; each heading names the field the column goes to
    (ignored and unmapped columns greyed). Row headers are spreadsheet row numbers, as in
    the problem list."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._targets: list[str | None] = []
        self._rows: list[tuple[int, Sequence[str]]] = []

    def set_preview(self, pairs: Sequence[tuple[str, str | None]],
                    rows: Sequence[tuple[int, Sequence[str]]]) -> None:
        self.beginResetModel()
        self._headers = [h for h, _ in pairs]
        self._targets = [t for _, t in pairs]
        self._rows = list(rows)
        self.endResetModel()

    def set_mapping(self, pairs: Sequence[tuple[str, str | None]]) -> None:
        self._targets = [t for _, t in pairs]
        if self._headers:
            self.headerDataChanged.emit(HORIZONTAL, 0, len(self._headers) - 1)
        if self._rows and self._headers:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(self._headers) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        cells = self._rows[index.row()][1]
        column = index.column()
        if column >= len(self._headers):
            return None
        if role == DISPLAY_ROLE:
            text = cells[column] if column < len(cells) else ""
            # One line per cell: an embedded newline would make the row tall.
            return text.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ")
        if role == TOOLTIP_ROLE:
            return cells[column] if column < len(cells) and len(cells[column]) > 40 else None
        if role == FOREGROUND_ROLE and not self._targets[column]:
            return _MUTED_COLOR
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY_ROLE) -> Any:
        if orientation == HORIZONTAL and 0 <= section < len(self._headers):
            target = self._targets[section]
            if role == DISPLAY_ROLE:
                shown = "ignored" if target == "" else ("?" if target is None else target)
                return f"{self._headers[section] or '(no header)'}\n→ {shown}"
            if role == FOREGROUND_ROLE and target is None:
                return problem_color()
        if orientation == VERTICAL and 0 <= section < len(self._rows) and role == DISPLAY_ROLE:
            return str(self._rows[section][0])
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _READ_ONLY if index.isValid() else Qt.ItemFlag.NoItemFlags


def _row_key(row: int | None) -> int:
    return row if row is not None else 0


# The service's mapping problems name the CLI's --map option; in the wizard the fix is the
# Columns step.
_MAP_HINT = re.compile(r": map it with --map '.*' or ignore it with --map '.*' \(fields: .*\)$")
_MAP_ONE = re.compile(r" \(or map one with --map COLUMN=\w+\)$")


_DATE_HINT = re.compile(r": give (the|its) format with --date-format, e.g\. .*$")
_PLAIN_HINTS = (
    (" (for a decimal comma, use --decimal-comma)",
     " (for a decimal comma, tick the option in the Columns step)"),
    ("give --tool NAME, or a tool column", "choose the tool in the File step, or map a tool "
     "column"),
)


def problem_words(message: str) -> str:
    """A problem's message as the wizard says it: where the CLI's words name an option, the
    wizard names the step that has it."""
    message = _MAP_HINT.sub(": choose the field it holds in the Columns step, or ignore it",
                            message)
    message = _MAP_ONE.sub(": choose the column that holds it in the Columns step", message)
    message = _DATE_HINT.sub(": choose how dates are written in the Columns step", message)
    for cli, gui in _PLAIN_HINTS:
        message = message.replace(cli, gui)
    return message


def problem_line(problem: Problem) -> str:
    """`row N, column C: what is wrong (got '…')`, in the wizard's words."""
    return problem_words(str(problem))


PROBLEM_COLUMNS: list[Column[Problem]] = [
    Column("Row", lambda p: "" if p.row is None else str(p.row), key=lambda p: _row_key(p.row),
           numeric=True, width=60),
    Column("Column", lambda p: p.column or "", width=150),
    Column("What is wrong", lambda p: problem_words(p.message), tooltip=problem_line,
           width=470),
    Column("Found", lambda p: "" if p.got is None else p.got.replace("\n", " ⏎ "),
           width=160),
]


def _action(change: Change) -> str:
    word = "Add" if change.action == "add" else "Update"
    return word if change.main else f"Also {word.lower()}"


CHANGE_COLUMNS: list[Column[Change]] = [
    Column("Row", lambda c: str(c.row), key=lambda c: c.row, numeric=True, width=60),
    Column("Action", _action, width=150),
    Column("Record", lambda c: c.label, width=320),
    Column("Fields that change", lambda c: ", ".join(c.fields), width=300),
]


def problem_model(parent: Any = None) -> RowTableModel[Problem]:
    return RowTableModel(PROBLEM_COLUMNS, parent)


def change_model(parent: Any = None) -> RowTableModel[Change]:
    return RowTableModel(CHANGE_COLUMNS, parent)
