"""Asking for a file path without blocking: a non-native QFileDialog opened window-modal.

`exec()` would block the event loop (and a test); `open()` returns at once and the answer
arrives through a callback. Widgets that ask for paths hold an `ask_path` attribute of type
`PathAsker`, so a test swaps the dialog for a function that answers directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QWidget

_DIR_KEY = "files/last_dir"


@dataclass(frozen=True)
class PathRequest:
    title: str
    directory: str  # where the dialog starts
    suggested: str = ""  # file name proposed in a save dialog
    name_filter: str = "CSV files (*.csv);;All files (*)"
    save: bool = True
    suffix: str = "csv"  # added when the user types a name without one


PathAsker = Callable[[QWidget, PathRequest, Callable[[str], None]], None]


def ask_with_dialog(parent: QWidget, request: PathRequest,
                    chosen: Callable[[str], None]) -> None:
    """The default asker: Qt's own (non-native) dialog, so it looks and behaves the same on
    every platform and under the offscreen platform. Nothing is called when cancelled."""
    dialog = QFileDialog(parent, request.title, request.directory, request.name_filter)
    dialog.setObjectName("pathDialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    if request.save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        if request.suggested:
            dialog.selectFile(request.suggested)
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    if request.suffix:
        dialog.setDefaultSuffix(request.suffix)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(chosen)
    dialog.open()


def last_dir(settings: QSettings) -> str:
    value = settings.value(_DIR_KEY, "")
    folder = str(value) if value else ""
    return folder if folder and Path(folder).is_dir() else str(Path.home())


def remember_dir(settings: QSettings, path: str) -> None:
    settings.setValue(_DIR_KEY, str(Path(path).parent))
