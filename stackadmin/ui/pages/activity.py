"""Activity: the changes made to the inventory, newest first (who changed what, when, from
where, each field's old → new value), filtered by where the change came from and by the kind
of record. Reminders shown are notices, not changes: they are not listed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from stackadmin.ui.fmt import date_text, moment_text
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import Column, Haystack, search_text

if TYPE_CHECKING:
    from stackadmin.services.audit import AuditRow
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.tasks import Job

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")  # stored dates and times: shown in the locale
LIMIT = 5000
SHOWN_CHANGES = 3  # fields in the Changes cell; the tooltip has them all
SOURCES = {"ui": "the app", "cli": "the command line", "import": "an import",
           "sync": "a sync", "system": "stackadmin itself"}
ENTITIES = {"subscription_term": "term", "term_decision": "renewal decision",
            "reminder_state": "reminder", "offboarding_item": "offboarding checklist"}


def _when(e: AuditRow) -> str:
    return moment_text(e.at)


def value_text(value: Any) -> str:
    """A stored value as a person reads it: '—' for nothing, yes/no, dates, lists."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "—"
    if isinstance(value, str):
        if _ISO.match(value):
            try:
                return date_text(date.fromisoformat(value)) if len(value) == 10 else (
                    date_text(datetime.fromisoformat(value)))
            except ValueError:
                return value
        return value
    return str(value)


def change_lines(e: AuditRow) -> list[str]:
    """'field: old → new', one per field changed (a new record: its values)."""
    if not e.changes:
        return []
    out = []
    for key, pair in e.changes.items():
        name = key.replace("_", " ")
        if isinstance(pair, list) and len(pair) == 2:
            before, after = pair
            if before is None and e.action in ("create", "import"):
                out.append(f"{name}: {value_text(after)}")
            else:
                out.append(f"{name}: {value_text(before)} → {value_text(after)}")
        else:
            out.append(f"{name}: {value_text(pair)}")
    return out


def _changes(e: AuditRow) -> str:
    lines = change_lines(e)
    more = f" (+{len(lines) - SHOWN_CHANGES} more)" if len(lines) > SHOWN_CHANGES else ""
    return "; ".join(lines[:SHOWN_CHANGES]) + more


def entity_words(entity: str) -> str:
    return ENTITIES.get(entity, entity.replace("_", " "))


def _columns() -> list[Column[AuditRow]]:
    return [
        Column("When", _when, key=lambda e: e.id, searchable=False, width=130),
        Column("Who", lambda e: e.actor, width=90),
        Column("From", lambda e: e.source, width=60,
               tooltip=lambda e: f"Made from {SOURCES.get(e.source, e.source)}"),
        Column("Action", lambda e: e.action, width=70),
        Column("What", lambda e: entity_words(e.entity), width=120),
        Column("Summary", lambda e: e.summary, width=330, tooltip=lambda e: e.summary),
        Column("Changes (old → new)", _changes,
               tooltip=lambda e: "\n".join(change_lines(e)) or "No field values recorded"),
    ]


class ActivityPage(TablePage):
    empty_state = ("Nothing recorded yet",
                   "Every change, by you, an import or a sync, is recorded here: who made it, "
                   "when, and what it was before.")
    title = "Activity"
    icon = "activity"
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"tool", "term", "person", "account", "setting", "audit", "offboarding", "integration",
         "reminder", "decision"})
    columns = _columns()
    default_sort = (0, Qt.SortOrder.DescendingOrder)
    search_hint = "Search who, what, summary, values"

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self._events: list[AuditRow] = []
        self._haystack: Haystack = []
        self.source_box = QComboBox(self)
        self.source_box.setObjectName("activitySource")
        self.entity_box = QComboBox(self)
        self.entity_box.setObjectName("activityEntity")
        for box in (self.source_box, self.entity_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.currentIndexChanged.connect(lambda _n: self._apply_filters())
        self._fill(self.source_box, "From anywhere", [])
        self._fill(self.entity_box, "Every kind of record", [])
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 4, 0, 4)
        bar.addWidget(QLabel("Show changes from", self))
        bar.addWidget(self.source_box)
        bar.addSpacing(12)
        bar.addWidget(QLabel("to", self))
        bar.addWidget(self.entity_box)
        bar.addStretch(1)
        self.extra_layout.addLayout(bar)

    @staticmethod
    def _fill(box: QComboBox, all_text: str, items: Sequence[tuple[str, str]]) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(all_text)
        for text, value in items:
            box.addItem(text, value)
        box.setCurrentIndex(max(box.findData(current), 0) if current is not None else 0)
        box.blockSignals(False)

    def set_filters(self, *, source: str | None = None, entity: str | None = None) -> None:
        """Chooses the source and the kind of record (None: all), as a user would."""
        for box, value in ((self.source_box, source), (self.entity_box, entity)):
            box.blockSignals(True)
            box.setCurrentIndex(0 if value is None else max(box.findData(value), 0))
            box.blockSignals(False)
        self._apply_filters()

    def load(self) -> None:
        columns = self.columns

        def work(ctx: ServiceContext, job: Job) -> tuple[list[AuditRow], list[str]]:
            from stackadmin.services.audit import list_events

            events = list_events(ctx, limit=LIMIT, changes_only=True)
            job.check()
            return events, search_text(columns, events)

        def show(result: tuple[list[AuditRow], list[str]]) -> None:
            self._events, self._haystack = result
            self._fill(self.source_box, "From anywhere", [
                (SOURCES.get(s, s).capitalize(), s)
                for s in sorted({e.source for e in self._events})])
            self._fill(self.entity_box, "Every kind of record", sorted(
                {(entity_words(e.entity).capitalize(), e.entity) for e in self._events}))
            self._apply_filters()

        self.env.run(work, show, title=f"loading {self.title}", key=f"load:{self.key}")

    def _apply_filters(self) -> None:
        source, entity = self.source_box.currentData(), self.entity_box.currentData()
        kept = [n for n, e in enumerate(self._events)
                if (source is None or e.source == source)
                and (entity is None or e.entity == entity)]
        self._show_rows(([self._events[n] for n in kept], [self._haystack[n] for n in kept],
                         {}))
