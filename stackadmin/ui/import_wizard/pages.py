"""The four steps of the import wizard as widgets: file, columns, check, import.

They only show what they are given (plain data and the service's dataclasses) and collect
the user's choices; the wizard (wizard.py) runs the jobs and moves between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.import_wizard.models import (
    FieldDelegate,
    MappingModel,
    PreviewModel,
    change_model,
    dark_palette,
    problem_line,
    problem_model,
)

if TYPE_CHECKING:
    from stackadmin.services.spreadsheets.importer import FieldSpec, ImportPlan

KINDS = (
    ("subscriptions", "Subscriptions", "tools, plans, prices and renewal dates"),
    ("people", "People", "your team: emails, departments, who has left"),
    ("accounts", "Accounts of one tool", "a user list exported from the tool's admin page"),
)
DATE_FORMATS = (
    ("Year-month-day only (2027-03-31)", None),
    ("Day/month/year (31/03/2027)", "%d/%m/%Y"),
    ("Month/day/year (03/31/2027)", "%m/%d/%Y"),
    ("Day.month.year (31.03.2027)", "%d.%m.%Y"),
    ("Day-month-year (31-03-2027)", "%d-%m-%Y"),
)
PREVIEW_ROWS = 20
WARNINGS_SHOWN = 8  # the first few in the check step; "Copy the list" copies them all
# (light palette, dark palette): the dark one needs lighter tones to read.
_WARN = ("color: #9a3412;", "color: #fdba74;")
_GOOD = ("color: #166534;", "color: #86efac;")


@dataclass(frozen=True)
class Counts:
    """A plan's figures, worked out on the worker: each is a pass over up to 100,000 changes
    that the GUI thread should not make."""

    added: int
    updated: int
    brought: int  # records added or updated because rows refer to them (tools, owners)
    summary: str

    @classmethod
    def of(cls, plan: ImportPlan) -> Counts:
        brought = sum(1 for c in plan.changes if not c.main)
        return cls(plan.added, plan.updated, brought, plan.summary())


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def table_view(parent: QWidget, model: Any, name: str) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setHighlightSections(False)
    return view


def _row_table(parent: QWidget, model: Any, name: str, stretch: int) -> QTableView:
    view = table_view(parent, model, name)
    # Rows come in spreadsheet order already: no sort until a heading is clicked (sorting
    # 100,000 changes on the GUI thread costs ~0.3 s).
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    for n, column in enumerate(model.columns):
        if column.width:
            view.setColumnWidth(n, column.width)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class FilePage(QWidget):
    """Step 1: what kind of records, the tool (accounts), the file; the template."""

    kind_changed = Signal(str)
    path_changed = Signal(str)
    choose_clicked = Signal()
    template_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("<h3>What are you importing?</h3>", self)
        self.kind_group = QButtonGroup(self)
        kinds = QVBoxLayout()
        kinds.setSpacing(6)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for n, (kind, title, help_text) in enumerate(KINDS):
            button = QRadioButton(f"{title} — {help_text}", self)
            button.setProperty("kind", kind)
            self.kind_group.addButton(button, n)
            self.kind_buttons[kind] = button
            kinds.addWidget(button)
        self.kind_buttons["subscriptions"].setChecked(True)
        self.kind_group.idToggled.connect(self._toggled)

        self.tool_label = QLabel("Tool:", self)
        self.tool_combo = QComboBox(self)
        self.tool_combo.setEditable(True)
        self.tool_combo.setMinimumWidth(280)
        self.tool_combo.lineEdit().setPlaceholderText("the tool these accounts belong to")
        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText("a .csv file: UTF-8, separated by commas, "
                                          "semicolons or tabs")
        self.path_edit.textChanged.connect(self.path_changed.emit)
        choose = QPushButton("Choose…", self)
        choose.clicked.connect(self.choose_clicked.emit)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(choose)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("File:", path_row)
        form.addRow(self.tool_label, self.tool_combo)

        self.template_label = QLabel(self)
        self.template_label.setWordWrap(True)
        self.template_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.template_button = QPushButton("Save a template…", self)
        self.template_button.clicked.connect(self.template_clicked.emit)
        template_row = QHBoxLayout()
        template_row.addWidget(self.template_label, 1)
        template_row.addWidget(self.template_button, 0, Qt.AlignmentFlag.AlignTop)
        note = QLabel(
            "<b>Nothing is written until the last step.</b> The whole file is checked first: "
            "if any row is wrong, nothing is imported and every problem is listed with its "
            "row and column. Rows already in the inventory are updated, not added twice, so "
            "importing the same file again changes nothing.", self)
        note.setObjectName("importNote")
        note.setWordWrap(True)
        note.setStyleSheet("#importNote { color: palette(placeholder-text); }")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addLayout(kinds)
        layout.addSpacing(14)
        layout.addLayout(form)
        layout.addSpacing(18)
        layout.addLayout(template_row)
        layout.addSpacing(18)
        layout.addWidget(note)
        layout.addStretch(1)
        self._show_tool()

    @property
    def kind(self) -> str:
        button = self.kind_group.checkedButton()
        return str(button.property("kind")) if button is not None else "subscriptions"

    def set_kind(self, kind: str) -> None:
        self.kind_buttons[kind].setChecked(True)

    @property
    def path(self) -> str:
        return self.path_edit.text().strip()

    def set_path(self, path: str) -> None:
        self.path_edit.setText(path)

    @property
    def tool(self) -> str:
        return self.tool_combo.currentText().strip() if self.kind == "accounts" else ""

    def set_tool(self, name: str) -> None:
        self.tool_combo.setEditText(name)

    def set_tools(self, names: Sequence[str]) -> None:
        typed = self.tool_combo.currentText()
        self.tool_combo.clear()
        self.tool_combo.addItems(list(names))
        self.tool_combo.setEditText(typed)

    def show_template(self, headers: Sequence[str]) -> None:
        self.template_label.setText(
            f"<b>Columns read:</b> {', '.join(headers)}.<br>Common variants are recognised "
            "(“Renewal Date”, “Cost”, “Seats purchased”…) and any other column can be "
            "matched in the next step. No file yet? Start from the template.")

    def _toggled(self, _id: int, on: bool) -> None:
        if on:
            self._show_tool()
            self.kind_changed.emit(self.kind)

    def _show_tool(self) -> None:
        accounts = self.kind == "accounts"
        self.tool_label.setVisible(accounts)
        self.tool_combo.setVisible(accounts)


class ColumnsPage(QWidget):
    """Step 2: each column of the file and the field it is read as (a combo per column),
    the first rows as read, and the reading options."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_label = QLabel(self)
        self.file_label.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("mappingStatus")
        self.status.setWordWrap(True)
        self.mapping = MappingModel(self)
        self.mapping_view = table_view(self, self.mapping, "mappingView")
        self.mapping_view.setItemDelegateForColumn(MappingModel.FIELD_COLUMN,
                                                   FieldDelegate(self.mapping_view))
        self.mapping_view.verticalHeader().hide()
        self.mapping_view.verticalHeader().setDefaultSectionSize(32)
        self.mapping_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mapping_view.setAlternatingRowColors(False)
        header = self.mapping_view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.resizeSection(0, 220)
        header.resizeSection(1, 320)
        header.setStretchLastSection(True)
        self.preview = PreviewModel(self)
        self.preview_view = table_view(self, self.preview, "previewView")
        self.preview_view.horizontalHeader().setDefaultSectionSize(130)
        self.preview_view.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        preview_box = QWidget(self)
        box = QVBoxLayout(preview_box)
        box.setContentsMargins(0, 6, 0, 0)
        self.preview_label = QLabel(preview_box)
        box.addWidget(self.preview_label)
        box.addWidget(self.preview_view, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.mapping_view)
        splitter.addWidget(preview_box)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([260, 240])

        self.date_combo = QComboBox(self)
        for label, code in DATE_FORMATS:
            self.date_combo.addItem(label, code)
        self.decimal_comma = QCheckBox("Amounts use a decimal comma (1.200,50)", self)
        options = QHBoxLayout()
        options.addWidget(QLabel("Dates written as:", self))
        options.addWidget(self.date_combo)
        options.addSpacing(24)
        options.addWidget(self.decimal_comma)
        options.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.file_label)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        layout.addLayout(options)

    @property
    def date_format(self) -> str | None:
        value = self.date_combo.currentData()
        return str(value) if value else None

    def set_date_format(self, code: str | None) -> None:
        self.date_combo.setCurrentIndex(max(0, self.date_combo.findData(code)))

    def show_file(self, name: str, rows: int, pairs: Sequence[tuple[str, str | None]],
                  preview: Sequence[tuple[int, Sequence[str]]],
                  fields: Sequence[FieldSpec]) -> None:
        self.file_label.setText(
            f"<b>{name}</b>: {plural(rows, 'row')}, {plural(len(pairs), 'column')}. Check "
            "how each column is read and change any that are wrong.")
        first = min(rows, PREVIEW_ROWS)
        self.preview_label.setText(f"<b>The first {'row' if first == 1 else f'{first} rows'}"
                                   "</b>, numbered "
                                   "as in the spreadsheet")
        self.mapping.set_file(pairs, preview, fields)
        for row in range(self.mapping.rowCount()):
            # Always-open combos: the mapping is the point of this step, not a hidden edit.
            self.mapping_view.openPersistentEditor(
                self.mapping.index(row, MappingModel.FIELD_COLUMN))
        self.preview.set_preview(pairs, preview)
        self.show_mapping(pairs, fields)

    def show_mapping(self, pairs: Sequence[tuple[str, str | None]],
                     fields: Sequence[FieldSpec]) -> None:
        self.mapping.set_mapping(pairs)
        self.preview.set_mapping(pairs)
        unknown = [h or "(no header)" for h, t in pairs if t is None]
        mapped = {t for _, t in pairs if t}
        missing = [f.name for f in fields if f.required and f.name not in mapped]
        notes = []
        if unknown:
            notes.append(f"Not recognised: {', '.join(unknown)}. Choose the field each "
                         "holds, or ignore it.")
        if missing:
            notes.append(f"Required and not found: {', '.join(missing)}. Choose the column "
                         "that holds it.")
        if notes:
            self.status.setText("⚠ " + " ".join(notes))
            self.status.setStyleSheet(_WARN[dark_palette()])
        else:
            self.status.setText("✓ Every column is matched to a field or ignored.")
            self.status.setStyleSheet(_GOOD[dark_palette()])

    def field_combo(self, header: str) -> QComboBox:
        """The combo of one column's row (tests choose fields through it, like a user)."""
        index = self.mapping.index(self.mapping.row_of(header), MappingModel.FIELD_COLUMN)
        widget = self.mapping_view.indexWidget(index)
        assert isinstance(widget, QComboBox)
        return widget


class CheckPage(QWidget):
    """Step 3: every problem (row, column, what is wrong, what was found), or the list of
    what the import will add and update."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setObjectName("checkLabel")
        self.label.setWordWrap(True)
        # Rows that import but deserve a look (a second open term for a tool): listed
        # above the changes, in the warning colour; Import stays enabled.
        self.warnings = QLabel(self)
        self.warnings.setObjectName("checkWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings.hide()
        self._warning_lines: list[str] = []
        self.problems = problem_model(self)
        self.problem_view = _row_table(self, self.problems, "problemView", stretch=2)
        self.changes = change_model(self)
        self.change_view = _row_table(self, self.changes, "changeView", stretch=2)
        self.copy_button = QPushButton("Copy the list", self)
        self.again_button = QPushButton("Read the file again", self)
        self.again_button.setToolTip("After fixing the file in your spreadsheet: read it again "
                                     "and check it, keeping your column choices.")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.copy_button)
        row.addWidget(self.again_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.warnings)
        layout.addWidget(self.problem_view, 1)
        layout.addWidget(self.change_view, 1)
        layout.addLayout(row)

    def warning_lines(self) -> list[str]:
        return list(self._warning_lines)

    def _show_warnings(self, plan: ImportPlan) -> None:
        self._warning_lines = [problem_line(w) for w in plan.warnings]
        shown = self._warning_lines[:WARNINGS_SHOWN]
        more = len(self._warning_lines) - len(shown)
        if shown:
            items = "".join(f"<li>{escape(line)}</li>" for line in shown)
            tail = f"<li>… and {more:,} more</li>" if more > 0 else ""
            self.warnings.setText(
                f"<b>⚠ {plural(len(self._warning_lines), 'warning')}</b> (the import can go "
                f"ahead; check these first):<ul style='margin: 2px 0'>{items}{tail}</ul>")
            self.warnings.setStyleSheet(_WARN[dark_palette()])
        self.warnings.setVisible(bool(shown))

    def problem_lines(self) -> list[str]:
        return [problem_line(p) for p in self.problems.all_rows()]

    def show_plan(self, plan: ImportPlan, counts: Counts) -> None:
        self._show_warnings(plan)
        bad = not plan.ok
        self.problem_view.setVisible(bad)
        self.copy_button.setVisible(bad or bool(plan.warnings))
        self.change_view.setVisible(not bad)
        self.problems.set_rows(plan.problems)
        self.changes.set_rows(plan.changes)
        if bad:
            self.label.setText(
                f"<h3>✗ {plural(len(plan.problems), 'problem')} in {plan.file}</h3>"
                "Nothing has been imported: a file goes in whole or not at all. Fix these in "
                "your spreadsheet and read the file again, or go back and change how the "
                "columns are read.")
            return
        kind = plan.kind.value.capitalize()
        if not plan.changes:
            self.label.setText(f"<h3>✓ Nothing to import</h3>Every row of {plan.file} "
                               f"matches the inventory already ({plan.unchanged:,} unchanged).")
            return
        extra = (f" Also added, because rows refer to them: {plural(counts.brought, 'record')} "
                 "(tools, vendors, owners)." if counts.brought else "")
        self.label.setText(
            f"<h3>✓ Ready to import {plan.file}</h3>{kind}: <b>{counts.added:,} to add</b>, "
            f"<b>{counts.updated:,} to update</b>, {plan.unchanged:,} already up to date."
            f"{extra} Nothing is written until you press Import.")


class ImportPage(QWidget):
    """Step 4: progress with a Cancel button, then the outcome."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setObjectName("importLabel")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("importProgress")
        self.cancel_button = QPushButton("Cancel the import", self)
        self.changes = change_model(self)
        self.change_view = _row_table(self, self.changes, "doneView", stretch=2)
        self.change_view.hide()
        self.activity_button = QPushButton("Show the activity log", self)
        self.activity_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        after = QHBoxLayout()
        after.addStretch(1)
        after.addWidget(self.activity_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addSpacing(8)
        layout.addWidget(self.change_view, 1)
        layout.addLayout(after)
        layout.addStretch(1)
        self._layout = layout

    def started(self, name: str) -> None:
        self.progress.setRange(0, 0)  # busy until the first batch is reported
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m records (%p%)")
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.change_view.hide()
        self.activity_button.hide()
        self.changes.set_rows([])
        self._layout.setStretch(self._layout.count() - 1, 1)
        self.label.setText(f"<h3>Importing {name}…</h3>Everything is written in one go: "
                           "cancelling leaves the inventory as it was.")

    def progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("<h3>Cancelling…</h3>Undoing what was written so far.")

    def finished(self, plan: ImportPlan, counts: Counts) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setFormat("Done")
        self.cancel_button.hide()
        self.label.setText(
            f"<h3>✓ Imported {plan.file}</h3>{plan.kind.value.capitalize()}: "
            f"{counts.added:,} added, {counts.updated:,} updated, {plan.unchanged:,} unchanged. "
            "The import is recorded in the activity log.")
        self.changes.set_rows(plan.changes)
        self.change_view.show()
        self.activity_button.show()
        self._layout.setStretch(self._layout.count() - 1, 0)  # the list takes the room

    def stopped(self, text: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Stopped")
        self.cancel_button.hide()
        self.label.setText(text)
