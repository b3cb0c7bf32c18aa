"""A tool's page: everything about one tool, one section (a widget) per subject.

Adding a section is a class and a line:

    class ConnectionsSection(ToolSection):          # stackadmin/ui/pages/tool/section.py
        key = "connections"                          # unique: jobs and saved widths
        title = "Connections"
        reload_on = frozenset({"connection"})        # env.changed(...) entities it shows

        @staticmethod
        def fetch(ctx, tool_id):                     # on a worker: plain rows from a service
            return list_connections(ctx, tool_id=tool_id)

        def show_data(self, data):                   # on the GUI thread
            ...                                      # self.body, self.table(), self.note()

then put the class in SECTIONS below, where it should appear on the page. A section that
loads itself elsewhere too (`Widget(env, tool_id, parent)` with `set_tool` and `loaded`: the
connections, adoption, training and satisfaction sections) is hosted by a `HostedSection`
subclass (hosted.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackadmin.ui.pages.tool.accounts import AccountsSection
from stackadmin.ui.pages.tool.contacts import ContactsSection
from stackadmin.ui.pages.tool.documents import DocumentsSection
from stackadmin.ui.pages.tool.hosted import (
    AdoptionSection,
    ConnectionsSection,
    SatisfactionSection,
    TrainingSection,
)
from stackadmin.ui.pages.tool.integration import IntegrationSection
from stackadmin.ui.pages.tool.notes import NotesSection
from stackadmin.ui.pages.tool.terms import DecisionsSection, TermsSection

if TYPE_CHECKING:
    from stackadmin.ui.pages.tool.hosted import HostedSection
    from stackadmin.ui.pages.tool.section import ToolSection

SECTIONS: list[type[ToolSection] | type[HostedSection]] = [
    TermsSection,
    DecisionsSection,
    AccountsSection,
    AdoptionSection,
    SatisfactionSection,
    ConnectionsSection,
    IntegrationSection,
    TrainingSection,
    DocumentsSection,
    ContactsSection,
    NotesSection,
]
