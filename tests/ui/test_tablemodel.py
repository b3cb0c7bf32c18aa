"""RowTableModel: Qt's model rules, Python sort and multi-word search; the None-refcount bug."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from stackadmin.ui.tablemodel import ROW_ROLE, SORT_ROLE, Column, RowTableModel


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    team: str | None
    seats: int | None


COLUMNS: list[Column[Row]] = [
    Column("Name", lambda r: r.name),
    Column("Team", lambda r: r.team or ""),
    Column("Seats", lambda r: "" if r.seats is None else str(r.seats), key=lambda r: r.seats,
           numeric=True),
]
ROWS = [Row(1, "Slack", "Platform", 40), Row(2, "Figma", "Design", None),
        Row(3, "Slack Connect", "Growth", 5), Row(4, "Zoom", None, 12)]


def names(model: RowTableModel[Row]) -> list[str]:
    return [model.row_at(n).name for n in range(model.rowCount())]


def test_model_passes_qt_model_tester_through_reset_sort_and_filter(qtmodeltester: Any) -> None:
    model: RowTableModel[Row] = RowTableModel(COLUMNS)
    qtmodeltester.check(model, force_py=True)
    model.set_rows(ROWS)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    model.set_filter("sla")
    qtmodeltester.check(model, force_py=True)


def test_several_words_narrow_the_rows_and_the_count_follows() -> None:
    model: RowTableModel[Row] = RowTableModel(COLUMNS)
    counts: list[tuple[int, int]] = []
    model.counts_changed.connect(lambda shown, total: counts.append((shown, total)))
    model.set_rows(ROWS)
    model.set_filter("slack")
    assert names(model) == ["Slack", "Slack Connect"]
    model.set_filter("slack growth")
    assert names(model) == ["Slack Connect"]
    model.set_filter("SLACK  design")
    assert names(model) == []
    model.set_filter("")
    assert model.rowCount() == 4
    assert counts[-4:] == [(2, 4), (1, 4), (0, 4), (4, 4)]


def test_sorting_uses_the_column_key_with_missing_values_last() -> None:
    model: RowTableModel[Row] = RowTableModel(COLUMNS)
    model.set_rows(ROWS)
    model.sort(2, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["Slack Connect", "Zoom", "Slack", "Figma"]
    model.set_filter("slack")  # the filter keeps the sort
    assert names(model) == ["Slack Connect", "Slack"]
    assert model.index(0, 2).data(SORT_ROLE) == 5
    assert model.index(0, 0).data(ROW_ROLE) == ROWS[2]


def test_new_rows_keep_the_search_and_the_sort() -> None:
    model: RowTableModel[Row] = RowTableModel(COLUMNS)
    model.set_rows(ROWS)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.set_filter("sla")
    model.set_rows([*ROWS, Row(5, "Asana Slack bot", "Ops", 3)])
    assert names(model) == ["Slack Connect", "Slack", "Asana Slack bot"]


class _NoneModel(QAbstractTableModel):
    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 1

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index: Any, role: int = 0) -> Any:
        return None


def test_rows_updated_in_place_keep_the_order_search_and_selection(qtmodeltester: Any) -> None:
    """A figure filled in after the rows are shown (seats counted) changes the cells where
    they are: nothing is reset, so the sort, the search and the selection stay."""
    from PySide6.QtCore import QItemSelectionModel

    model: RowTableModel[Row] = RowTableModel(COLUMNS)
    model.set_rows(ROWS)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    model.set_filter("slack")
    before = names(model)
    assert before == ["Slack", "Slack Connect"]
    selection = QItemSelectionModel(model)
    selection.select(model.index(1, 0), QItemSelectionModel.SelectionFlag.Select
                     | QItemSelectionModel.SelectionFlag.Rows)
    changed: list[tuple[int, int, int, int]] = []
    resets: list[bool] = []
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), a.column(),
                                                               b.row(), b.column())))
    model.modelReset.connect(lambda: resets.append(True))
    model.update_rows(lambda r: Row(r.id, r.name, r.team, (r.seats or 0) + 100))
    assert names(model) == before and not resets
    assert changed == [(0, 0, 1, 2)]
    assert [model.index(n, 2).data() for n in range(2)] == ["140", "105"]
    assert [i.row() for i in selection.selectedRows()] == [1]
    assert [r.seats for r in model.all_rows()] == [140, 100, 105, 112]
    qtmodeltester.check(model, force_py=True)


def test_returning_none_from_data_does_not_corrupt_the_refcount_of_none() -> None:
    """PySide6 6.12.0 on CPython 3.11 drops a reference to None per call: a big
    table then aborts with 'none_dealloc'. Fails if such a PySide6 is installed."""
    model = _NoneModel()
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(100):
        index.data(Qt.ItemDataRole.ToolTipRole)
    assert sys.getrefcount(None) >= before
