"""Self-contained sections for the tool and person pages: each takes `(env, id)`, loads its
own data on a worker, reloads when that data changes, and emits `loaded` when shown. The
tool sections show another tool with `set_tool(tool_id)` (the tool page hosts them).

    ToolConnectionsSection(env, tool_id)   what depends on the tool (what breaks if cancelled)
    ToolAdoptionSection(env, tool_id)      12-month trend, adoption target, training list
    ToolTrainingSection(env, tool_id)      links, guide, champions
    PersonOnboardingSection(env, person_id)  the bundle's checklist, lacking, beyond; CSV
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.charts import TrendChart
from stackadmin.ui.columns import ColumnSizer, longest_texts
from stackadmin.ui.filtertable import make_view
from stackadmin.ui.fmt import plural
from stackadmin.ui.tablemodel import Column, RowTableModel

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job


class _Section(QFrame):
    """A titled card that loads itself; subclasses give `work` and `show_data`."""

    loaded = Signal()
    entities: frozenset[str] = frozenset()

    def __init__(self, env: Env, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.sizers: dict[int, ColumnSizer] = {}  # each table's, by id(view)
        self.setObjectName("card")
        self.title = QLabel(f"<b>{escape(title)}</b>", self)
        self.summary = QLabel("Loading…", self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(2)
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addLayout(self.buttons)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(12, 10, 12, 10)
        self.body.addLayout(bar)
        self.body.addWidget(self.summary)
        env.data_changed.connect(self._changed)

    def add_button(self, text: str, slot: Callable[[], Any], *, icon: str = "",
                   tip: str = "") -> QToolButton:
        """An action at the right of the title, as on the tool page's other sections."""
        from stackadmin.ui import icons

        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip or text)
        button.setAutoRaise(True)
        if icon:
            button.setIcon(icons.icon(icon))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.clicked.connect(lambda _checked=False: slot())
        self.buttons.addWidget(button)
        return button

    def _changed(self, entity: str) -> None:
        if entity == "*" or entity in self.entities:
            self.load()

    def load(self) -> None:
        self.env.run(self.work(), self._shown, key=f"section:{id(self)}")

    def _shown(self, data: Any) -> None:
        self.show_data(data)
        self.loaded.emit()

    def work(self) -> Any:
        raise NotImplementedError

    def show_data(self, data: Any) -> None:
        raise NotImplementedError


def _table(parent: _Section, model: RowTableModel[Any], name: str,
           rows: int = 5) -> QTableView:
    """A table like every other (names elided, numbers whole, columns fitted to the width
    until sized by hand, the widths kept under `sections/<name>`); `_fill` sets its rows
    and makes it as tall as they are, up to `rows` (the page scrolls, not each table)."""
    view = make_view(model, parent)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    view.setProperty("most_rows", rows)
    sizer = ColumnSizer(view, parent.env.settings, f"sections/{name}")
    sizer.restore()
    parent.sizers[id(view)] = sizer
    return view


def _fill(section: _Section, model: RowTableModel[Any], view: QTableView,
          rows: list[Any]) -> None:
    model.set_rows(rows)
    section.sizers[id(view)].measure(longest_texts(model.columns, rows))
    shown = max(1, min(len(rows), int(view.property("most_rows") or 5)))
    header = max(view.horizontalHeader().height(),
                 view.horizontalHeader().sizeHint().height())
    view.setFixedHeight(header + shown * view.verticalHeader().defaultSectionSize()
                        + 2 * view.frameWidth() + 2)


class _ToolSection(_Section):
    """A section about one tool: built with its id (None: none yet), `set_tool` shows
    another."""

    def __init__(self, env: Env, title: str, tool_id: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(env, title, parent)
        self.tool_id = tool_id

    def set_tool(self, tool_id: int) -> None:
        self.tool_id = tool_id
        self.load()

    def load(self) -> None:
        if self.tool_id is not None:
            super().load()


class ToolConnectionsSection(_ToolSection):
    """The connections to and from a tool that are not retired, with their owners: what
    breaks if the tool is cancelled. Double-click opens a connection."""

    entities = frozenset({"connection", "tool", "person"})

    def __init__(self, env: Env, tool_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(env, "Connections (what breaks if this tool is cancelled)", tool_id,
                         parent)
        self.model: RowTableModel[Any] = RowTableModel([
            Column("Connection", lambda r: f"{r.from_tool} → {r.to_tool}", width=200,
                   elide="middle"),
            Column("What flows", lambda r: r.what, width=220),
            Column("Status", lambda r: r.status, width=80, warn=lambda r: r.status == "broken"),
            Column("Owner", lambda r: r.owner or "no owner",
                   tooltip=lambda r: r.owner_email or ""),
        ], self)
        self.view = _table(self, self.model, "tool-connections", 4)
        self.view.doubleClicked.connect(lambda index: env.open_page(
            "connections", {"connection_id": self.model.row_at(index.row()).id}))
        self.body.addWidget(self.view)
        self.load()

    def work(self) -> Any:
        tool_id = self.tool_id

        def run(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.running.connections import depending_on

            return depending_on(ctx, tool_id)
        return run

    def show_data(self, rows: list[Any]) -> None:
        broken = sum(1 for r in rows if r.status == "broken")
        self.summary.setText("No connection depends on this tool." if not rows else
                             f"{plural(len(rows), 'connection')} "
                             f"depend{'s' if len(rows) == 1 else ''} on it"
                             + (f", <b style='color:#dc2626'>{broken} broken</b>"
                                if broken else "") + ".")
        _fill(self, self.model, self.view, rows)
        self.view.setVisible(bool(rows))


class ToolAdoptionSection(_ToolSection):
    """Active vs purchased seats and the annual cost over 12 months (from the daily
    snapshots), the adoption target's status and the people to train. Set target… sets or
    changes the target (a percent of a department, or of everyone); Clear target removes it."""

    entities = frozenset({"snapshot", "target", "account", "person", "term", "tool"})

    def __init__(self, env: Env, tool_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(env, "Adoption, last 12 months", tool_id, parent)
        self.target: Any = None  # the TargetStatus shown, None: no target
        self.tool_name = ""
        self.dialog: Any = None  # the open target form
        self.set_button = self.add_button("Set target…", self.edit_target, icon="edit",
                                          tip="Set the share of a department (or of "
                                              "everyone) that should be active")
        self.clear_button = self.add_button("Clear target", self.clear_target, icon="delete",
                                            tip="Remove the adoption target")
        self.set_button.setEnabled(False)
        self.clear_button.setEnabled(False)
        self.chart = TrendChart(self)
        self.cost = QLabel(self)
        self.cost.setObjectName("count")
        self.training_model: RowTableModel[Any] = RowTableModel([
            Column("To train", lambda p: p.name, width=160),
            Column("Email", lambda p: p.email, width=200),
            Column("Why", lambda p: p.why),
        ], self)
        self.training_view = _table(self, self.training_model, "tool-training-people", 4)
        self.training_view.doubleClicked.connect(lambda index: env.open_page(
            "person", {"person_id": self.training_model.row_at(index.row()).person_id}))
        for widget in (self.chart, self.cost, self.training_view):
            self.body.addWidget(widget)
        self.load()

    def work(self) -> Any:
        tool_id = self.tool_id

        def run(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.inventory.tools import get_tool
            from stackadmin.services.running.adoption import target_statuses, trend

            return (trend(ctx, tool_id=tool_id), target_statuses(ctx, tool_id),
                    get_tool(ctx, tool_id).name)
        return run

    def show_data(self, data: Any) -> None:
        from stackadmin.ui.fmt import base_text, date_text

        trend, targets, self.tool_name = data
        days = [p.day.isoformat() for p in trend.days]
        self.chart.set_data(days, [("purchased", [p.seats_purchased for p in trend.days]),
                                   ("active", [p.seats_active for p in trend.days])])
        last = trend.days[-1] if trend.days else None
        self.cost.setText("" if last is None else
                          f"Annual cost {base_text(last.annual_cost_base, trend.base_currency)}"
                          f" on {date_text(last.day)}; history since "
                          f"{date_text(trend.first_day) or '—'}")
        target = targets[0] if targets else None
        self.target = target
        if target is None:
            self.summary.setText("No adoption target set: Set target… says how many people "
                                 "should be active.")
        else:
            colour = "#16a34a" if target.met else "#dc2626"
            self.summary.setText(f"<span style='color:{colour}'>{escape(target.sentence())}"
                                 "</span>")
        self.set_button.setEnabled(True)
        self.clear_button.setEnabled(target is not None)
        _fill(self, self.training_model, self.training_view,
              [] if target is None else list(target.not_active))
        self.training_view.setVisible(bool(target and target.not_active))

    def edit_target(self) -> None:
        """Opens the target form once the departments to choose from are read."""
        tool_id, current, name = self.tool_id, self.target, self.tool_name
        if tool_id is None:
            return

        def work(ctx: ServiceContext, job: Job) -> list[str]:
            from stackadmin.services.running.adoption import departments

            return departments(ctx)

        def show(departments: list[str]) -> None:
            from stackadmin.ui.running_forms import target_dialog

            self.dialog = target_dialog(self.env, self, tool_id, name, current, departments)
            self.dialog.open()

        self.env.run(work, show)

    def clear_target(self) -> None:
        tool_id, name = self.tool_id, self.tool_name
        if tool_id is None or self.target is None:
            return

        def work(ctx: ServiceContext, job: Job) -> bool:
            from stackadmin.services.running.adoption import clear_target

            return clear_target(ctx, tool_id)

        def done(_gone: bool) -> None:
            self.env.changed("target")
            self.env.message.emit(f"Adoption target of {name} cleared.")

        self.env.run(work, done)


class ToolTrainingSection(_ToolSection):
    """Training resources of the tool: the company's guides, links, champions. Add…,
    Edit…, Remove…; Open (or a double-click) opens a link or a guide with the desktop's
    program for it, and a champion's page."""

    entities = frozenset({"training", "person", "tool"})

    def __init__(self, env: Env, tool_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(env, "Training", tool_id, parent)
        from PySide6.QtGui import QDesktopServices

        self.open_url = QDesktopServices.openUrl  # what opens a link (the desktop's handler)
        self.rows: list[Any] = []
        self.tool_name = ""
        self.dialog: Any = None  # the open resource form
        self.confirm_box: Any = None
        self.model: RowTableModel[Any] = RowTableModel([
            Column("Kind", lambda r: r.kind.capitalize(), width=80),
            Column("Title", lambda r: r.title, width=220),
            Column("Where", lambda r: _where(r), elide="middle",
                   tooltip=lambda r: r.url or r.champion_email or ""),
        ], self)
        self.view = _table(self, self.model, "tool-training-resources", 5)
        self.view.doubleClicked.connect(lambda _index: self.open_selected())
        self.body.addWidget(self.view)
        self.add_button("Add…", self.add, icon="add", tip="Add a link, a guide or a champion")
        self.open_button = self.add_button("Open", self.open_selected, icon="import",
                                           tip="Open the link, or the champion's page")
        self.edit_button = self.add_button("Edit…", self.edit, icon="edit")
        self.remove_button = self.add_button("Remove…", self.remove, icon="delete")
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.model.modelReset.connect(self._enable)
        self._enable()
        self.load()

    def work(self) -> Any:
        tool_id = self.tool_id

        def run(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.inventory.tools import get_tool
            from stackadmin.services.running.training import list_resources

            return list_resources(ctx, tool_id), get_tool(ctx, tool_id).name
        return run

    def show_data(self, data: Any) -> None:
        rows, self.tool_name = data
        self.rows = rows
        if not rows:
            self.summary.setText("No training resource yet: Add… a link to a course, the "
                                 "company's own guide, or a champion people can ask.")
        else:
            counts = [plural(n, kind) for kind in ("guide", "link", "champion")
                      if (n := sum(1 for r in rows if r.kind == kind))]
            self.summary.setText(", ".join(counts) + ".")
        _fill(self, self.model, self.view, rows)
        self.view.setVisible(bool(rows))

    def selected(self) -> Any:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _enable(self) -> None:
        row = self.selected()
        self.edit_button.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None)
        self.open_button.setEnabled(row is not None and bool(row.url or row.champion_id))

    def open_selected(self) -> None:
        from stackadmin.ui.running_forms import resource_url

        row = self.selected()
        if row is None:
            return
        if row.url:
            if not self.open_url(resource_url(row.url)):
                self.env.message.emit(f"No program on this computer opens {row.url}.")
        elif row.champion_id is not None:
            self.env.open_page("person", {"person_id": row.champion_id})

    def _with_people(self, row: Any) -> None:
        tool_id, name = self.tool_id, self.tool_name
        if tool_id is None:
            return

        def work(ctx: ServiceContext, job: Job) -> list[tuple[str, str]]:
            from stackadmin.services.running.training import champion_choices

            return champion_choices(ctx)

        def show(people: list[tuple[str, str]]) -> None:
            from stackadmin.ui.running_forms import resource_dialog

            self.dialog = resource_dialog(self.env, self, tool_id, name, row, people)
            self.dialog.open()

        self.env.run(work, show)

    def add(self) -> None:
        self._with_people(None)

    def edit(self) -> None:
        row = self.selected()
        if row is not None:
            self._with_people(row)

    def remove(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        row = self.selected()
        if row is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove training resource",
                          f"Remove “{row.title}” from the training of {row.tool}?",
                          QMessageBox.StandardButton.Cancel, self)
        ok = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: box.clickedButton() is ok and self._remove(row))
        self.confirm_box = box
        box.open()

    def _remove(self, row: Any) -> None:
        def work(ctx: ServiceContext, job: Job) -> None:
            from stackadmin.services.running.training import remove_resource

            remove_resource(ctx, row.id)

        def done(_none: None) -> None:
            self.env.changed("training")
            self.env.message.emit(f"Removed “{row.title}” from the training of {row.tool}.")

        self.env.run(work, done)


def _where(row: Any) -> str:
    if row.url:
        return str(row.url)
    if row.champion_email:
        return str(row.champion_email)
    return ""


class PersonOnboardingSection(_Section):
    """A person's onboarding checklist from their department's bundle: what they should
    have and lack, what they hold beyond it; the checklist exported as CSV."""

    entities = frozenset({"bundle", "account", "person", "tool"})

    def __init__(self, env: Env, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, "Onboarding", parent)
        from stackadmin.ui.filedialogs import PathAsker, ask_with_dialog

        self.person_id = person_id
        self.ask_path: PathAsker = ask_with_dialog
        self.model: RowTableModel[Any] = RowTableModel([
            Column("Done", lambda i: "yes" if i.done else "no", width=50),
            Column("Tool", lambda i: i.tool, width=180, elide="middle"),
            Column("Role to grant", lambda i: i.role, width=100),
            Column("Granted by", lambda i: i.granted_by or "no owner",
                   tooltip=lambda i: i.granted_by_email or ""),
        ], self)
        self.view = _table(self, self.model, "person-onboarding", 5)
        self.export_button = QPushButton("Export checklist CSV…", self)
        self.export_button.clicked.connect(self.export)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.export_button)
        self.body.addWidget(self.view)
        self.body.addLayout(row)
        self.data: Any = None
        self.load()

    def work(self) -> Any:
        person_id = self.person_id

        def run(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.running.onboarding import onboarding

            return onboarding(ctx, person_id)
        return run

    def show_data(self, view: Any) -> None:
        self.data = view
        if not view.checklist:
            text = f"No onboarding bundle for {escape(view.department or 'their department')}."
        else:
            lacking = ", ".join(escape(i.tool) for i in view.lacking) or "nothing"
            text = (f"{len(view.checklist) - len(view.lacking)} of {len(view.checklist)} "
                    f"bundle tools granted. Lacks: <b>{lacking}</b>.")
        if view.beyond:
            text += " Beyond the bundle: " + ", ".join(escape(h.tool) for h in view.beyond)
        self.summary.setText(text)
        _fill(self, self.model, self.view, list(view.checklist))
        self.view.setVisible(bool(view.checklist))
        self.export_button.setEnabled(bool(view.checklist))

    def export(self) -> None:
        from stackadmin.ui.filedialogs import PathRequest, last_dir

        if self.data is None:
            return
        name = self.data.email.split("@")[0]
        request = PathRequest("Export the onboarding checklist", last_dir(self.env.settings),
                              f"onboarding-{name}.csv")
        self.ask_path(self, request, self.write)

    def write(self, path: str) -> None:
        person_id = self.person_id

        def work(ctx: ServiceContext, job: Job) -> int:
            from stackadmin.services.running.onboarding import export_checklist

            return export_checklist(ctx, person_id, path)

        self.env.run(work, lambda n: self.env.message.emit(
            f"Wrote {n} checklist rows to {path}."))
