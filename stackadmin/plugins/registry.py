"""Finding the installed plugins: the entry-point group `stackadmin.plugins`, where the
built-in plugins are registered too (pyproject.toml). Loading imports a plugin's module and
reads its class attributes; nothing of it runs. A plugin that cannot be imported, speaks a
contract version we do not, describes itself wrongly or raises while loading is listed as
broken with the reason, and every other plugin keeps working."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from stackadmin.errors import NotFoundError, UserError
from stackadmin.plugins.api import Option, Plugin, Secret, describe_problems

GROUP = "stackadmin.plugins"


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """An installed, loadable plugin: its metadata and its class."""

    id: str
    name: str
    description: str
    contract_version: int
    options: tuple[Option, ...]
    secret: Secret | None
    reports_activity: bool
    reports_seat_counts: bool
    directory_capable: bool
    entry_point: str  # "package.module:Class"
    distribution: str | None  # the installed package that provides it, "name version"
    plugin_class: type[Plugin]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": "ok",
            "description": self.description,
            "contract_version": self.contract_version,
            "options": [{"name": o.name, "label": o.label, "required": o.required,
                         "default": o.default, "kind": o.kind.value, "help": o.help}
                        for o in self.options],
            "secret": self.secret.label if self.secret else None,
            "reports_activity": self.reports_activity,
            "reports_seat_counts": self.reports_seat_counts,
            "directory_capable": self.directory_capable,
            "distribution": self.distribution,
        }


@dataclass(frozen=True, slots=True)
class BrokenPlugin:
    """A registered plugin that cannot be used, and why."""

    id: str  # the entry point's name
    entry_point: str
    distribution: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.id, "status": "broken", "error": self.reason,
                "options": [], "secret": None, "entry_point": self.entry_point,
                "distribution": self.distribution}


class UnknownPlugin(NotFoundError):
    """No installed plugin has that id."""


class BrokenPluginError(UserError):
    """The plugin is installed but broken; the message says why."""


def _distribution(entry_point: metadata.EntryPoint) -> str | None:
    dist = getattr(entry_point, "dist", None)
    if dist is None:
        return None
    try:
        return f"{dist.name} {dist.version}"
    except Exception:  # a distribution with unreadable metadata still names no one
        return None


def _is_builtin(entry_point: metadata.EntryPoint) -> bool:
    return entry_point.value.startswith("stackadmin.plugins.builtin.")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Registry:
    """The plugins of the given entry points (default: every installed distribution's
    `stackadmin.plugins` group), loaded on first use."""

    def __init__(self, entry_points: Iterable[metadata.EntryPoint] | None = None) -> None:
        self._entry_points = (list(entry_points) if entry_points is not None
                              else list(metadata.entry_points(group=GROUP)))
        self._plugins: dict[str, PluginInfo] | None = None
        self._broken: list[BrokenPlugin] = []

    def _load(self) -> dict[str, PluginInfo]:
        if self._plugins is not None:
            return self._plugins
        found: dict[str, PluginInfo] = {}
        broken: list[BrokenPlugin] = []
        # stackadmin's own plugins first: another package cannot take a built-in's id.
        for entry_point in sorted(self._entry_points,
                                  key=lambda e: (e.name, not _is_builtin(e), e.value)):
            dist = _distribution(entry_point)
            info, reason = self._inspect(entry_point, dist)
            if info is not None and info.id in found:
                reason = (f"the id '{info.id}' is already provided by "
                          f"{found[info.id].distribution or found[info.id].entry_point}")
                info = None
            if info is None:
                broken.append(BrokenPlugin(entry_point.name, entry_point.value, dist,
                                           reason or "it could not be loaded"))
            else:
                found[info.id] = info
        self._plugins, self._broken = found, broken
        return found

    @staticmethod
    def _inspect(entry_point: metadata.EntryPoint,
                 dist: str | None) -> tuple[PluginInfo | None, str | None]:
        try:
            cls = entry_point.load()
        except (Exception, SystemExit) as exc:
            return None, f"it could not be imported ({_reason(exc)})"
        try:
            problems = describe_problems(cls)
            if problems:
                return None, "; ".join(problems)
            if cls.id != entry_point.name:
                return None, (f"it is registered as '{entry_point.name}' but its id is "
                              f"'{cls.id}'")
            return PluginInfo(
                id=cls.id, name=cls.name.strip(), description=cls.description or "",
                contract_version=cls.contract_version, options=cls.options, secret=cls.secret,
                reports_activity=cls.reports_activity,
                reports_seat_counts=cls.reports_seat_counts,
                directory_capable=cls.directory_capable, entry_point=entry_point.value,
                distribution=dist, plugin_class=cls), None
        except Exception as exc:
            return None, f"reading its description raised {_reason(exc)}"

    def plugins(self) -> list[PluginInfo]:
        """The usable plugins, by id."""
        return sorted(self._load().values(), key=lambda p: p.id)

    def broken(self) -> list[BrokenPlugin]:
        """The plugins that cannot be used, with their reasons, by id."""
        self._load()
        return list(self._broken)

    def get(self, plugin_id: str) -> PluginInfo:
        """The plugin with that id; UnknownPlugin or BrokenPluginError in words."""
        found = self._load()
        if plugin_id in found:
            return found[plugin_id]
        for broken in self._broken:
            if broken.id == plugin_id:
                raise BrokenPluginError(f"the plugin '{plugin_id}' is installed but cannot be "
                                        f"used: {broken.reason}")
        known = ", ".join(sorted(found)) or "none"
        raise UnknownPlugin(f"no plugin '{plugin_id}' is installed (installed: {known})")


def load_registry() -> Registry:
    """The installed plugins as they are now (read afresh: a plugin may have been
    installed since the last call)."""
    return Registry()
