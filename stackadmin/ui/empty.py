"""What a page shows while it has nothing to show: what this place is for and what to do
next, with the buttons that do it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QCommandLinkButton, QLabel, QVBoxLayout, QWidget

from stackadmin.ui import icons

# (button text, its description, icon name, what it does)
Step = tuple[str, str, str, Callable[[], object]]


class EmptyState(QWidget):
    """A heading, a sentence and a few command buttons, centred."""

    def __init__(self, heading: str, text: str, steps: Sequence[Step],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.heading = QLabel(f"<h3>{heading}</h3>", self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.buttons: dict[str, QCommandLinkButton] = {}
        box = QWidget(self)
        box.setFixedWidth(self.WIDTH)  # wrapped text needs a width to compute its height
        inner = QVBoxLayout(box)
        self._inner = inner
        inner.addWidget(self.heading)
        inner.addWidget(self.text)
        inner.addSpacing(8)
        for label, description, icon, slot in steps:
            button = QCommandLinkButton(label, description, box)
            button.setIcon(icons.icon(icon))
            button.setIconSize(QSize(22, 22))
            button.setMinimumHeight(60)  # the description line is clipped otherwise
            button.clicked.connect(lambda _c=False, slot=slot: slot())
            inner.addWidget(button)
            self.buttons[label] = button
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.set_text(text)

    WIDTH = 540

    def set_text(self, text: str) -> None:
        """The sentence, as tall as it wraps at the box's width: a text set after the page
        is laid out was cut to the height of the one before."""
        self.text.setText(text)
        margins = self._inner.contentsMargins()
        width = self.WIDTH - margins.left() - margins.right()
        self.text.setMinimumHeight(max(self.text.heightForWidth(width), 0))
