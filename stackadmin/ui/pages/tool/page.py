"""The tool page (double-click a tool, click it on the map): its facts and figures on top,
then its sections (terms over time, decisions, accounts by role, adoption, satisfaction,
the connections that depend on it, integration, training, documents, contacts, notes),
each loading on its own worker job."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import icons
from stackadmin.ui.fmt import base_text, plural
from stackadmin.ui.pages.base import Page
from stackadmin.ui.pages.tool import SECTIONS
from stackadmin.ui.theme import WARN

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.records import ToolRow
    from stackadmin.services.seats.utilization import ToolFigures
    from stackadmin.ui.pages.tool.hosted import HostedSection
    from stackadmin.ui.pages.tool.section import ToolSection
    from stackadmin.ui.tasks import Job


@dataclass(frozen=True, slots=True)
class ToolHeader:
    tool: ToolRow
    figures: ToolFigures | None
    base_currency: str
    owner_left: bool = False  # the owner has left the company: a hand-over is due


def fetch_header(ctx: ServiceContext, tool_id: int) -> ToolHeader:
    from stackadmin.services.inventory.tools import get_tool
    from stackadmin.services.seats import utilization

    tool = get_tool(ctx, tool_id)
    report = utilization.compute(ctx, tool=tool.name)
    return ToolHeader(tool, report.tools[0] if report.tools else None, report.base_currency,
                      tool.owner_departed(ctx.today()))


def figures_text(header: ToolHeader) -> str:
    """Cost and seats in words: 'no seat data', 'activity unknown', 'flat' and seats held
    beyond those purchased are said as such (the Tools page's rules)."""
    fig = header.figures
    if fig is None:
        return ""
    cost = ("annual cost unknown (no exchange rate for " + ", ".join(fig.missing_rates) + ")"
            if fig.missing_rates else
            f"{base_text(fig.annual_cost_base, header.base_currency)} a year")
    if fig.flat_priced:
        seats = "a flat fee (no seat count), "
    elif fig.seats_purchased:
        seats = f"{plural(fig.seats_purchased, 'seat')} purchased, "
    else:
        seats = ""
    if not fig.seat_data or fig.seats_held is None:
        return f"{cost} · {seats}no seat data (no account recorded)"
    held = f"{fig.seats_held:,} held"
    if fig.over_allocated:
        held += f" ({fig.seats_over:,} more than purchased)"
    if not fig.activity_known:
        return f"{cost} · {seats}{held}, activity unknown"
    text = f"{cost} · {seats}{held}, {fig.seats_active:,} active"
    if fig.seats_unused:
        text += f", {fig.seats_unused:,} unused"
    return text


class ToolPage(Page):
    title = "Tool"
    icon = "tools"
    # What any section shows, and the tool itself; "setting": the header's annual cost is in
    # the base currency, converted with the rates.
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"tool", "setting"}.union(*(s.reload_on for s in SECTIONS)))

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.tool_id: int | None = None
        self.tool: ToolRow | None = None
        self.header_data: ToolHeader | None = None
        self._waiting: set[str] = set()

        self.back = QToolButton(self)
        self.back.setText("‹ Tools")
        self.back.setAutoRaise(True)
        self.back.setToolTip("Back to the list of tools")
        self.back.clicked.connect(lambda: env.open_page("tools", (
            {"tool_id": self.tool_id} if self.tool_id is not None else None)))
        self.name = QLabel(self)
        self.name.setObjectName("toolName")
        self.name.setStyleSheet("#toolName { font-size: 17pt; font-weight: 600; }")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setOpenExternalLinks(True)
        self.facts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.figures = QLabel(self)
        self.figures.setObjectName("count")
        self.figures.setWordWrap(True)
        self.figures.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.edit_button = self._button("Edit…", "edit", self.edit_tool)
        self.delete_button = self._button("Delete…", "delete", self.delete_tool)

        top = QHBoxLayout()
        top.addWidget(self.back)
        top.addWidget(self.name, 1)
        top.addWidget(self.edit_button)
        top.addWidget(self.delete_button)
        head = QVBoxLayout()
        head.setContentsMargins(16, 10, 16, 6)
        head.setSpacing(2)
        head.addLayout(top)
        head.addWidget(self.facts)
        head.addWidget(self.figures)

        self.sections: list[ToolSection | HostedSection] = []
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(16, 4, 16, 16)
        column.setSpacing(10)
        for section_class in SECTIONS:
            section = section_class(self)
            self.sections.append(section)
            column.addWidget(section)
        column.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.scroll, 1)
        self._show_header(None)

    def _button(self, text: str, icon: str, slot: Any) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setIcon(icons.icon(icon))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        button.clicked.connect(lambda _c=False: slot())
        return button

    def section(self, key: str) -> Any:
        return next(s for s in self.sections if s.key == key)

    # -- loading -------------------------------------------------------------------------
    def show_target(self, target: object) -> None:
        """{"tool_id": n} shows that tool; {"tool_id": n, "term_id": m} selects a term."""
        if not isinstance(target, dict) or "tool_id" not in target:
            return
        tool_id = int(target["tool_id"])
        if tool_id != self.tool_id:
            self.tool_id = tool_id
            self.tool = None
            self._show_header(None)
            self.scroll.verticalScrollBar().setValue(0)
            self.load()

    def load(self) -> None:
        if self.tool_id is None:
            self.loaded.emit()
            return
        tool_id = self.tool_id
        self._waiting = {"header", *(s.key for s in self.sections)}

        def work(ctx: ServiceContext, job: Job) -> ToolHeader:
            return fetch_header(ctx, tool_id)

        self.env.run(work, self._header_loaded, self._header_failed, key="load:tool:header")
        for section in self.sections:
            section.load(tool_id)

    def _header_loaded(self, header: ToolHeader) -> None:
        if header.tool.id != self.tool_id:
            return
        self.tool = header.tool
        self._show_header(header)
        self._done("header")

    def _header_failed(self, exc: BaseException) -> None:
        from stackadmin.errors import NotFoundError
        from stackadmin.ui.errors import describe_error

        if isinstance(exc, NotFoundError):  # deleted (here or by someone else)
            self.env.message.emit("That tool is no longer in the inventory.")
            self.tool_id = None
            self.env.open_page("tools", None)
        else:
            self.env.error.emit(describe_error(exc))
        self._done("header")

    def section_loaded(self, section: ToolSection | HostedSection) -> None:
        self._done(section.key)

    def _done(self, part: str) -> None:
        self._waiting.discard(part)
        if not self._waiting:
            self.loaded.emit()

    def _show_header(self, header: ToolHeader | None) -> None:
        self.header_data = header
        enabled = header is not None
        self.edit_button.setEnabled(enabled)
        self.delete_button.setEnabled(enabled)
        if header is None:
            self.name.setText("…" if self.tool_id is not None else "No tool chosen")
            self.facts.setText("" if self.tool_id is not None else
                               "Open a tool from the Tools page (double-click it).")
            self.figures.setText("")
            return
        tool = header.tool
        self.name.setText(tool.name)
        if tool.owner_email is None:
            owner = f"<span style='color:{WARN}'>no owner</span>"
        elif header.owner_left:
            owner = (f"owner <b>{escape(tool.owner_name or tool.owner_email)}</b> "
                     f"<span style='color:{WARN}'>(left: hand it over with Edit)</span>")
        else:
            owner = f"owner <b>{escape(tool.owner_name or tool.owner_email)}</b>"
        parts = [escape(x) for x in (tool.vendor, tool.category) if x]
        parts.append(owner)
        if tool.website:
            parts.append(f"<a href='{escape(tool.website, quote=True)}'>"
                         f"{escape(tool.website)}</a>")
        self.facts.setText(" · ".join(parts))
        self.figures.setText(figures_text(header))

    # -- the tool itself -------------------------------------------------------------------
    def edit_tool(self) -> Any:
        from stackadmin.ui.dialogs import tools

        return tools.edit(self, self.tool)

    def delete_tool(self) -> None:
        from stackadmin.ui.dialogs import tools

        tools.delete(self, self.tool)
