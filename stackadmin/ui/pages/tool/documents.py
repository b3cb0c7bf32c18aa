"""A tool's documents (contract, order form, security review...): add a file (copied into
the data folder), open it with the system's viewer, remove it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu, QMessageBox

from stackadmin.ui import words
from stackadmin.ui.filedialogs import (
    PathAsker,
    PathRequest,
    ask_with_dialog,
    last_dir,
    remember_dir,
)
from stackadmin.ui.fmt import date_text
from stackadmin.ui.pages.tool.section import ToolSection, enable_with_selection, selected
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.tools.documents import DocumentRow
    from stackadmin.ui.tasks import Job

DOCUMENT = "document"  # env.changed entity
_FILES = ("Documents (*.pdf *.doc *.docx *.odt *.xls *.xlsx *.ods *.png *.jpg *.jpeg *.txt "
          "*.md *.eml *.msg);;All files (*)")


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return ""


def document_columns() -> list[Column[DocumentRow]]:
    return [
        Column("Kind", lambda d: words.label(words.DOCUMENT_KIND, d.kind), width=110),
        Column("Title", lambda d: d.title, width=200, elide="middle"),
        Column("File", lambda d: d.file_name if d.present else f"{d.file_name} (missing)",
               width=180, elide="middle", warn=lambda d: not d.present,
               tooltip=lambda d: str(d.path) if d.present else
               f"Not on this computer: {d.path}"),
        Column("Size", lambda d: _size(d.size_bytes), key=lambda d: d.size_bytes,
               numeric=True, width=80, export=lambda d: d.size_bytes),
        Column("Added", lambda d: date_text(d.added_at), key=lambda d: d.added_at, width=95),
        Column("By", lambda d: d.added_by),
    ]


class DocumentsSection(ToolSection):
    key = "documents"
    title = "Documents"
    reload_on: ClassVar[frozenset[str]] = frozenset({DOCUMENT, "tool"})

    def __init__(self, page: Any) -> None:
        super().__init__(page)
        self.ask_path: PathAsker = ask_with_dialog
        self.open_url = QDesktopServices.openUrl  # tests look instead of opening
        self.confirm_box: QMessageBox | None = None
        self.model, self.view = self.table(document_columns())
        self.view.doubleClicked.connect(lambda _i: self.open_selected())
        self.empty = self.note("No documents yet. Add the contract, the order form or the "
                               "security review: a copy is kept in stackadmin's data folder, "
                               "readable by you alone.")
        menu = QMenu(self)
        for kind, label in words.DOCUMENT_KIND.items():
            menu.addAction(f"{label}…").triggered.connect(
                lambda _c=False, kind=kind: self.choose_file(kind))
        self.add_button("Add", icon="add", menu=menu, tip="Add a document: choose its kind, "
                                                         "then the file")
        opener = self.add_button("Open", self.open_selected, icon="import",
                                 tip="Open with the system's viewer")
        remove = self.add_button("Remove…", self.remove_selected, icon="delete")
        enable_with_selection(self.view, self.model, opener, remove)

    @staticmethod
    def fetch(ctx: ServiceContext, tool_id: int) -> list[DocumentRow]:
        from stackadmin.services.tools.documents import list_documents

        return list_documents(ctx, tool_id=tool_id)

    def show_data(self, data: list[DocumentRow]) -> None:
        self.show_rows(self.model, self.view, data, most=6)
        self.empty.setVisible(not data)
        missing = sum(1 for d in data if not d.present)
        self.summary.setText(f"{len(data)} kept" + (f", {missing} not on this computer"
                                                   if missing else "") if data else "")

    # -- adding ----------------------------------------------------------------------------
    def choose_file(self, kind: str) -> None:
        request = PathRequest(f"Add a {words.label(words.DOCUMENT_KIND, kind).lower()}",
                              last_dir(self.env.settings), name_filter=_FILES, save=False,
                              suffix="")
        self.ask_path(self, request, lambda path: self.add_file(path, kind))

    def add_file(self, path: str, kind: str, title: str | None = None) -> Job | None:
        if not path or self.tool_id is None:
            return None
        remember_dir(self.env.settings, path)
        tool_id = self.tool_id

        def work(ctx: ServiceContext, _job: Job) -> DocumentRow:
            from stackadmin.services.tools.documents import add_document

            return add_document(ctx, tool_id, path, kind=kind, title=title)

        def done(row: DocumentRow) -> None:
            self.env.message.emit(f"Added {words.label(words.DOCUMENT_KIND, row.kind).lower()}"
                                  f" “{row.title}” to {row.tool}.")
            self.env.changed(DOCUMENT)
            self.env.changed("audit")

        return self.env.run(work, done, self._failed, title="copying the document")

    # -- opening and removing --------------------------------------------------------------
    def open_selected(self) -> Job | None:
        rows = selected(self.model, self.view)
        if not rows:
            return None
        document_id = rows[0].id

        def work(ctx: ServiceContext, _job: Job) -> Path:
            from stackadmin.services.tools.documents import document_file

            return document_file(ctx, document_id)

        def done(path: Path) -> None:
            if not self.open_url(QUrl.fromLocalFile(str(path))):
                self.env.error.emit(f"No application opens {path.name} on this computer; "
                                    f"the file is at {path}.")

        return self.env.run(work, done, self._failed)

    def remove_selected(self) -> QMessageBox | None:
        rows = selected(self.model, self.view)
        if not rows:
            return None
        document = rows[0]
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove document",
                          f"Remove “{document.title}” ({document.file_name}) from "
                          f"{document.tool}? Its copy in stackadmin's data folder is deleted; "
                          "the file you added it from is not touched.",
                          QMessageBox.StandardButton.Cancel, self)
        ok = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: box.clickedButton() is ok and self._remove(document.id))
        self.confirm_box = box
        box.open()
        return box

    def _remove(self, document_id: int) -> None:
        def work(ctx: ServiceContext, _job: Job) -> DocumentRow:
            from stackadmin.services.tools.documents import remove_document

            return remove_document(ctx, document_id)

        def done(row: DocumentRow) -> None:
            self.env.message.emit(f"Removed “{row.title}” from {row.tool}.")
            self.env.changed(DOCUMENT)
            self.env.changed("audit")

        self.env.run(work, done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        from stackadmin.ui.errors import describe_error

        self.env.error.emit(describe_error(exc))
