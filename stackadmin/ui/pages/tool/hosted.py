"""Sections of the tool page that load themselves (connections, adoption, training,
satisfaction): widgets built as `Widget(env, tool_id, parent)` that show another tool with
`set_tool(tool_id)`, reload when the data they show changes, and emit `loaded` once shown.
The Feedback page and tests use them on their own; here each is hosted where the page
expects a ToolSection (a `key` and `load(tool_id)`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from stackadmin.ui.env import Env
    from stackadmin.ui.pages.tool.page import ToolPage


class HostedSection(QWidget):
    """Holds one self-loading section; `make(env, tool_id, parent)` builds it on the first
    tool shown. No frame of its own: the hosted widget is a card like the other sections."""

    key: ClassVar[str] = ""
    # They listen to `env.data_changed` themselves; the page adds nothing to reload.
    reload_on: ClassVar[frozenset[str]] = frozenset()
    make: ClassVar[Callable[[Env, int, QWidget], Any]]

    def __init__(self, page: ToolPage) -> None:
        super().__init__(page)
        self.page = page
        self.env = page.env
        self.tool_id: int | None = None
        self.widget: Any = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def load(self, tool_id: int) -> None:
        if self.widget is None:
            self.tool_id = tool_id
            self.widget = type(self).make(self.env, tool_id, self)
            self.widget.loaded.connect(self._loaded)
            self._layout.addWidget(self.widget)
        elif tool_id != self.tool_id:
            self.tool_id = tool_id
            self.widget.set_tool(tool_id)
        else:
            # The same tool again (the page reloads everything when it comes back into
            # view): the widget is up to date, it reloads on its own data's changes.
            self.page.section_loaded(self)

    def _loaded(self) -> None:
        if self.widget is not None and self.widget.tool_id == self.tool_id:
            self.page.section_loaded(self)


def _connections(env: Env, tool_id: int, parent: QWidget) -> Any:
    from stackadmin.ui.running_sections import ToolConnectionsSection

    return ToolConnectionsSection(env, tool_id, parent)


def _adoption(env: Env, tool_id: int, parent: QWidget) -> Any:
    from stackadmin.ui.running_sections import ToolAdoptionSection

    return ToolAdoptionSection(env, tool_id, parent)


def _training(env: Env, tool_id: int, parent: QWidget) -> Any:
    from stackadmin.ui.running_sections import ToolTrainingSection

    return ToolTrainingSection(env, tool_id, parent)


def _feedback(env: Env, tool_id: int, parent: QWidget) -> Any:
    from stackadmin.ui.buying.feedback_section import ToolFeedbackSection

    section = ToolFeedbackSection(env, tool_id, parent)
    section.compact = True  # one section among many: the comments as tall as they are
    return section


class ConnectionsSection(HostedSection):
    key = "connections"
    make = staticmethod(_connections)


class AdoptionSection(HostedSection):
    key = "adoption"
    make = staticmethod(_adoption)


class TrainingSection(HostedSection):
    key = "training"
    make = staticmethod(_training)


class SatisfactionSection(HostedSection):
    key = "satisfaction"
    make = staticmethod(_feedback)
