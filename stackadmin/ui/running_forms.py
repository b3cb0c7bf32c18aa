"""The forms of the tool page's adoption and training sections: a tool's adoption target
(percent of a department, or of everyone) and its training resources (a link, the company's
guide, a champion from the people list). Each saves through the running services on a
worker; a problem is shown in words on its field and nothing is saved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QComboBox, QSizePolicy, QWidget

from stackadmin.ui.dialogs import Field, FormDialog

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.running.adoption import TargetStatus
    from stackadmin.services.running.training import ResourceRow
    from stackadmin.ui.env import Env

TARGET = "target"  # env.changed entities
TRAINING = "training"
EVERYONE = ""  # the department choice meaning the whole company

KINDS = (("guide", "Guide (the company's own)"), ("link", "Link (course, docs, video)"),
         ("champion", "Champion (someone who helps)"))


def target_fields(departments: list[str]) -> list[Field]:
    return [
        Field("percent", "Target", words=("target", "percent"), placeholder="80",
              help="The share of the group active in the tool, 1 to 100 %."),
        Field("department", "Group", kind="edit_choice",
              choices=[(EVERYONE, "Everyone"), *departments], words=("department",),
              help="A department, or everyone still here."),
    ]


def target_dialog(env: Env, parent: QWidget, tool_id: int, tool: str,
                  current: TargetStatus | None, departments: list[str]) -> FormDialog:
    """Sets (or changes) the tool's adoption target; saved, the adoption section reloads."""
    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.running.adoption import set_target

        group = str(values.get("department") or "").strip()
        set_target(ctx, tool_id, str(values.get("percent") or ""),
                   None if group.lower() in ("", "everyone") else group)
        return tool_id

    values: dict[str, Any] = {"percent": "" if current is None else current.target_pct,
                              "department": EVERYONE}
    if current is not None and current.department:
        values["department"] = current.department
    intro = (f"How many people should be active in {tool}. The people of the group who are "
             "not active make the training list.")
    dialog = FormDialog(env, f"Adoption target of {tool}", target_fields(departments), values,
                        save, parent, intro=intro, changed=TARGET)
    _full_width(dialog, "department")
    return dialog


def _full_width(dialog: FormDialog, *names: str) -> None:
    """Drop-downs as wide as the form, so a problem under them wraps at the form's width."""
    for name in names:
        policy = dialog.inputs[name].sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
        dialog.inputs[name].setSizePolicy(policy)
    dialog.fit()


def resource_fields(people: list[tuple[str, str]]) -> list[Field]:
    return [
        Field("kind", "Kind", kind="choice", choices=KINDS, words=("kind",)),
        Field("title", "Title", words=("title",), placeholder="Jira at our company"),
        Field("url", "Link or path", words=("link", "web address"),
              placeholder="https://wiki.example.com/jira or /srv/guides/jira.pdf"),
        Field("champion", "Champion", kind="edit_choice", choices=people,
              words=("champion",), help="Someone from the people list (type to search)."),
    ]


def resource_dialog(env: Env, parent: QWidget, tool_id: int, tool: str,
                    row: ResourceRow | None, people: list[tuple[str, str]]) -> FormDialog:
    """Adds a training resource to the tool, or edits `row`. The fields a kind does not use
    are disabled (a champion has no link; a link no champion)."""
    resource_id = None if row is None else row.id

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.running import training

        given = {"title": values.get("title") or None, "url": values.get("url") or None,
                 "champion": values.get("champion") or None}
        if resource_id is None:
            return training.add_resource(ctx, tool_id, str(values["kind"]), **given)
        return training.update_resource(ctx, resource_id, str(values["kind"]), **given)

    values: dict[str, Any] = {"kind": "link"}
    if row is not None:
        values = {"kind": row.kind, "title": row.title, "url": row.url or "",
                  "champion": row.champion_email}
    title = (f"Add a training resource for {tool}" if row is None
             else f"Edit the training resource “{row.title}”")
    dialog = FormDialog(env, title, resource_fields(people), values, save, parent,
                        changed=TRAINING)
    _full_width(dialog, "kind", "champion")
    kind = dialog.inputs["kind"]
    assert isinstance(kind, QComboBox)

    def follow_kind() -> None:
        champion = kind.currentData() == "champion"
        dialog.inputs["url"].setEnabled(not champion)
        dialog.inputs["champion"].setEnabled(champion)
        title_input = dialog.inputs["title"]
        if hasattr(title_input, "setPlaceholderText"):
            title_input.setPlaceholderText("their name, unless you write another title"
                                           if champion else "Jira at our company")

    kind.currentIndexChanged.connect(lambda _n: follow_kind())
    follow_kind()
    if row is None:
        champion_box = dialog.inputs["champion"]
        assert isinstance(champion_box, QComboBox)
        champion_box.setCurrentText("")
    return dialog


def resource_url(text: str) -> QUrl:
    """What a resource's link opens: a web address as is, a path as a local file."""
    if text.lower().startswith(("https://", "http://", "file://")):
        return QUrl(text)
    return QUrl.fromLocalFile(text)
