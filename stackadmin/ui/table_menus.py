"""The menus of a FilteredTable: right-click on rows (the page's own actions, Copy, Export
this view…), right-click on the header (which columns show, fit them to the window), and the
View button (saved views, export, columns).

A saved view is the filters, the search and the sort of a table under a name, kept in the
settings beside its column widths. "Export this view…" writes the rows shown, in the order
shown, with the columns shown, through the spreadsheets service's Excel-clean CSV writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QToolButton

from stackadmin.ui.filedialogs import (
    PathAsker,
    PathRequest,
    ask_with_dialog,
    last_dir,
    remember_dir,
)
from stackadmin.ui.tablemodel import Column, export_cell

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.filtertable import FilteredTable
    from stackadmin.ui.tasks import Job

_ORDERS = {"ascending": Qt.SortOrder.AscendingOrder, "descending": Qt.SortOrder.DescendingOrder}


def shown_columns(table: FilteredTable) -> list[int]:
    """The columns on screen, in the order the user sees them."""
    header = table.view.horizontalHeader()
    return [n for n in sorted(range(header.count()), key=header.visualIndex)
            if not header.isSectionHidden(n)]


class TableMenus(QObject):
    """`ask_path` asks where to save an export (tests answer it directly)."""

    def __init__(self, table: FilteredTable) -> None:
        super().__init__(table)
        self.table = table
        self.ask_path: PathAsker = ask_with_dialog
        self.name_dialog: QInputDialog | None = None
        self.button = QToolButton(table)
        self.button.setObjectName("viewsButton")
        self.button.setText("View")
        self.button.setToolTip("Saved views, export what is shown, columns")
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setAutoRaise(True)
        self.view_menu = QMenu(self.button)
        self.view_menu.aboutToShow.connect(self._fill_view_menu)
        self.button.setMenu(self.view_menu)
        view = table.view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._popup_row_menu)
        header = view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._popup_column_menu)
        copy = QAction("Copy", view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(lambda: self.copy(table.selected_rows()))
        view.addAction(copy)

    # -- right-click on rows ---------------------------------------------------------------
    def row_menu(self, rows: list[Any]) -> QMenu:
        """The page's actions for these rows, then Copy and Export this view…"""
        menu = QMenu(self.table)
        own = self.table.row_menu(rows) if self.table.row_menu is not None and rows else []
        for action in own:
            if action is None:
                menu.addSeparator()
            else:
                action.setParent(menu)
                menu.addAction(action)
        if own:
            menu.addSeparator()
        copy = menu.addAction("Copy" if len(rows) < 2 else f"Copy {len(rows):,} rows")
        copy.setEnabled(bool(rows))
        copy.triggered.connect(lambda: self.copy(rows))
        menu.addAction("Export this view…").triggered.connect(self.export_view)
        return menu

    def row_menu_at(self, pos: QPoint) -> QMenu:
        index = self.table.view.indexAt(pos)
        selection = self.table.view.selectionModel()
        if index.isValid() and not selection.isRowSelected(index.row(), index.parent()):
            self.table.view.selectRow(index.row())  # right-click acts on the row under it
        return self.row_menu(self.table.selected_rows())

    def _popup_row_menu(self, pos: QPoint) -> None:
        menu = self.row_menu_at(pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.view.viewport().mapToGlobal(pos))

    # -- columns ---------------------------------------------------------------------------
    def column_menu(self, parent: QMenu | None = None) -> QMenu:
        """Every column with a check box: shown or hidden (kept with the widths); the last
        shown column cannot be hidden. Then: fit the columns to the window."""
        header = self.table.view.horizontalHeader()
        menu = parent if parent is not None else QMenu(self.table)
        columns: list[Column[Any]] = self.table.model.columns
        shown = [n for n in range(len(columns)) if not header.isSectionHidden(n)]
        for n, column in enumerate(columns):
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(n in shown)
            action.setEnabled(shown != [n])
            action.toggled.connect(lambda on, n=n: self.show_column(n, on))
        menu.addSeparator()
        fit = menu.addAction("Fit columns to the window")
        fit.setCheckable(True)
        fit.setChecked(self.table.sizer.fitting)
        fit.triggered.connect(lambda _c=False: self.table.sizer.fit_to_window())
        return menu

    def show_column(self, n: int, shown: bool) -> None:
        header = self.table.view.horizontalHeader()
        header.setSectionHidden(n, not shown)
        if shown and header.sectionSize(n) < 30:
            column = self.table.model.columns[n]
            header.resizeSection(n, max(column.width or 100, self.table.sizer.number_width(n)))
        self.table.sizer.fit()
        self.table.sizer.save()

    def _popup_column_menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.view.horizontalHeader().mapToGlobal(pos))

    # -- the View button -------------------------------------------------------------------
    def _fill_view_menu(self) -> None:
        menu = self.view_menu
        menu.clear()
        views = self.saved_views()
        if self.table.env is not None and self.table.state_key("views"):
            for name in sorted(views, key=str.casefold):
                menu.addAction(name).triggered.connect(
                    lambda _c=False, name=name: self.apply_view(name))
            if views:
                menu.addSeparator()
            menu.addAction("Save this view…").triggered.connect(self.ask_view_name)
            if views:
                delete = menu.addMenu("Delete a saved view")
                for name in sorted(views, key=str.casefold):
                    delete.addAction(name).triggered.connect(
                        lambda _c=False, name=name: self.delete_view(name))
            menu.addSeparator()
        export = menu.addAction("Export this view…")
        export.setEnabled(self.table.env is not None)
        export.triggered.connect(self.export_view)
        menu.addSeparator()
        self.column_menu(menu.addMenu("Columns"))

    # -- saved views -----------------------------------------------------------------------
    def current_view(self) -> dict[str, Any]:
        """The filters, search and sort of the table now (JSON-friendly)."""
        model = self.table.model
        header = self.table.view.horizontalHeader()
        sort = None
        if model.sort_column >= 0:
            order = header.sortIndicatorOrder()
            sort = [model.columns[model.sort_column].title,
                    "descending" if order == Qt.SortOrder.DescendingOrder else "ascending"]
        return {"choices": self.table.filters.state(), "search": self.table.search.text(),
                "sort": sort}

    def saved_views(self) -> dict[str, dict[str, Any]]:
        key = self.table.state_key("views")
        if self.table.env is None or not key:
            return {}
        raw = self.table.env.settings.value(key, "")
        try:
            views = json.loads(str(raw)) if raw else {}
        except ValueError:
            return {}
        return views if isinstance(views, dict) else {}

    def _store(self, views: dict[str, dict[str, Any]]) -> None:
        if self.table.env is not None:
            self.table.env.settings.setValue(self.table.state_key("views"),
                                             json.dumps(views, ensure_ascii=False))

    def save_view(self, name: str) -> None:
        clean = name.strip()
        if not clean:
            return
        views = self.saved_views()
        views[clean] = self.current_view()
        self._store(views)
        if self.table.env is not None:
            self.table.env.message.emit(f"Saved the view “{clean}”.")

    def apply_view(self, name: str) -> bool:
        view = self.saved_views().get(name)
        if view is None:
            return False
        table = self.table
        table.filters.restore(view.get("choices") or {})
        table.apply_filters()
        table.search.setText(str(view.get("search") or ""))
        sort = view.get("sort")
        titles = [c.title for c in table.model.columns]
        if isinstance(sort, list) and len(sort) == 2 and sort[0] in titles:
            table.view.sortByColumn(titles.index(sort[0]),
                                    _ORDERS.get(sort[1], Qt.SortOrder.AscendingOrder))
        return True

    def delete_view(self, name: str) -> None:
        views = self.saved_views()
        if views.pop(name, None) is not None:
            self._store(views)

    def ask_view_name(self) -> QInputDialog:
        """Asks for the view's name without blocking (a window-modal input dialog)."""
        dialog = QInputDialog(self.table)
        dialog.setWindowTitle("Save this view")
        dialog.setLabelText("Name of the view (its filters, search and sort):")
        dialog.setTextValue(self._suggest_name())
        dialog.textValueSelected.connect(self.save_view)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.name_dialog = dialog
        dialog.open()
        return dialog

    def _suggest_name(self) -> str:
        parts = [self.table.filters.choices[name].combo.currentText()
                 for name in self.table.filters.choices
                 if self.table.filters.value(name) is not None]
        if self.table.search.text().strip():
            parts.append(f"“{self.table.search.text().strip()}”")
        return ", ".join(parts)

    # -- copy and export -------------------------------------------------------------------
    def copy_text(self, rows: list[Any]) -> str:
        """The rows as tab-separated text of the shown columns (pastes into a spreadsheet)."""
        columns = [self.table.model.columns[n] for n in shown_columns(self.table)]
        return "\n".join("\t".join(c.text(r).replace("\t", " ") for c in columns)
                         for r in rows)

    def copy(self, rows: list[Any]) -> None:
        if rows:
            QGuiApplication.clipboard().setText(self.copy_text(rows))

    def export_view(self) -> None:
        env = self.table.env
        if env is None:
            return
        noun = self.table.nouns[1].replace(" ", "-")
        suggested = f"{noun}-{env.today().isoformat()}.csv"
        request = PathRequest("Export this view", last_dir(env.settings),
                              suggested=suggested)
        self.ask_path(self.table, request, self.write_view)

    def write_view(self, path: str) -> Job | None:
        """Writes the rows shown (in the order shown) and the columns shown to `path`, on a
        worker, through the exports' Excel-clean writer."""
        env = self.table.env
        if env is None or not path:
            return None
        remember_dir(env.settings, path)
        target = Path(path)
        columns = [self.table.model.columns[n] for n in shown_columns(self.table)]
        rows = self.table.model.visible_rows()
        noun = self.table.nouns[1]

        def work(ctx: ServiceContext, _job: Job) -> int:
            from stackadmin.errors import UserError
            from stackadmin.services.spreadsheets.files import write_csv

            cells = ([export_cell(c, r) for c in columns] for r in rows)
            try:  # never over the open database, its -wal/-shm files or its backups
                return write_csv(ctx.output_path(target), [c.title for c in columns], cells)
            except OSError as exc:
                raise UserError(f"{target} cannot be written: {exc.strerror or exc}") from None

        def done(count: int) -> None:
            env.message.emit(f"Exported {count:,} {noun} to {target}.")

        def failed(exc: BaseException) -> None:
            from stackadmin.ui.errors import describe_error

            env.error.emit(f"The view was not exported: {describe_error(exc)}")

        return env.run(work, done, failed, title=f"exporting {noun}")


def menu_action(parent: QObject, text: str, slot: Callable[[], Any], *,
                enabled: bool = True) -> QAction:
    """An action for a page's right-click menu (`FilteredTable.row_menu`)."""
    action = QAction(text, parent)
    action.setEnabled(enabled)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def open_tool_action(env: Env, parent: QObject, tool_id: int | None) -> QAction:
    """"Open tool": the tool's page."""
    return menu_action(parent, "Open tool", lambda: env.open_page("tool", {"tool_id": tool_id}),
                       enabled=tool_id is not None)


def open_person_action(env: Env, parent: QObject, person_id: int | None) -> QAction:
    return menu_action(parent, "Open person",
                       lambda: env.open_page("person", {"person_id": person_id}),
                       enabled=person_id is not None)
