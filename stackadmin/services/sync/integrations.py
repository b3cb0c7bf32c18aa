"""The configured vendor integrations: add, edit, remove (with their secret), test, list.

An integration is a plugin, its options, the tool it feeds and its own settings (schedule,
brake, company directory). Its secret goes to the OS keyring under a reference kept in the
row, never into the database; removing the integration removes the secret. Adding one
checks its options against the plugin's declaration and does not call the vendor
(`test_integration` does).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stackadmin.domain.values import required_text
from stackadmin.domain.vocab import SyncStatus
from stackadmin.errors import NotFoundError, UserError, ValidationError
from stackadmin.plugins.api import (
    CheckResult,
    partial_options,
    resolve_options,
    split_host_options,
)
from stackadmin.plugins.host import PluginRun
from stackadmin.plugins.registry import PluginInfo, Registry, load_registry
from stackadmin.secrets import SecretStore
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import apply_changes
from stackadmin.services.inventory.tools import add_tool, named
from stackadmin.services.records import by_name
from stackadmin.services.sync.config import HostSettings, interval_text
from stackadmin.store.models import Integration, SyncRun, Tool

FIELDS = ("name", "plugin_id", "tool_id", "options", "enabled", "is_directory_source",
          "interval_minutes", "brake_pct")


@dataclass(frozen=True, slots=True)
class IntegrationRow:
    """An integration as lists show it, with its last run."""

    id: int
    name: str
    plugin_id: str
    tool: str | None
    enabled: bool
    is_directory_source: bool
    last_sync_at: datetime | None  # when its last run started (a dry run too)
    last_status: str | None  # ok, failed, cancelled, running; None: never run
    last_error: str | None
    tool_id: int | None = None
    plugin_name: str | None = None  # None: the plugin is not installed or broken
    plugin_problem: str | None = None  # why the plugin cannot be used
    options: Mapping[str, str] = field(default_factory=dict)
    interval_minutes: int | None = None
    brake_pct: int = 20
    last_success_at: datetime | None = None  # its last sync that wrote (not a dry run)
    last_dry_run: bool = False
    last_counts: tuple[int, int, int, int] | None = None  # added, changed, deprov., unchanged
    has_secret: bool = False  # a secret reference is recorded (the keyring holds it)
    directory_capable: bool = False
    secret_label: str | None = None
    # The last run's end and counts, whatever its status (a failed run's are zero).
    last_finished_at: datetime | None = None
    last_added: int | None = None
    last_changed: int | None = None
    last_removed: int | None = None  # deprovisioned: no longer listed, or gone at the vendor

    @property
    def schedule(self) -> str:
        return interval_text(self.interval_minutes) if self.enabled else "disabled"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "plugin": self.plugin_id, "tool": self.tool,
            "enabled": self.enabled, "directory": self.is_directory_source,
            "interval": interval_text(self.interval_minutes),
            "interval_minutes": self.interval_minutes, "brake_pct": self.brake_pct,
            "options": dict(self.options),
            "last_status": self.last_status, "last_run_at": self.last_sync_at,
            "last_run_dry": self.last_dry_run, "last_error": self.last_error,
            "last_success_at": self.last_success_at,
            "plugin_status": "ok" if self.plugin_problem is None else "broken",
            "plugin_error": self.plugin_problem,
        }


def find_integration(session: Session, name: str) -> Integration:
    """The integration of that name (case-insensitive), or NotFoundError naming those there
    are."""
    found: Integration | None = named(session, Integration, name)
    if found is None:
        every = sorted(session.scalars(select(Integration.name)), key=by_name)
        names = ", ".join(every) or "none"
        raise NotFoundError(f"there is no integration named '{name}' (integrations: {names})")
    return found


def _plugin(registry: Registry, plugin_id: str) -> PluginInfo:
    return registry.get(plugin_id)


def _clean_name(session: Session, name: str, exclude_id: int | None = None) -> str:
    clean = required_text(name, "the integration's name", 200)
    same = named(session, Integration, clean)
    taken = None if same is None else same.id
    if taken is not None and taken != exclude_id:
        raise ValidationError(f"an integration named '{clean}' exists already")
    return clean


def _tool_id(session: Session, ctx: ServiceContext, name: str) -> tuple[int, bool]:
    """The tool of that name (case-insensitive), added to the inventory when it is new."""
    clean = required_text(name, "the tool", 200)
    found = named(session, Tool, clean)
    if found is not None:
        return found.id, False
    return add_tool(session, ctx, name=clean).id, True


def directory_refused(narrowed: list[str]) -> str:
    """Why an integration whose options narrow its listing is not the company directory."""
    names = ", ".join(narrowed)
    return (f"with {names} it reads part of the users, so it cannot be the company directory "
            "(anyone it does not list would be marked as having left): set directory=false, "
            f"or add another integration without {names} as the directory")


def check_settings(info: PluginInfo, given: Mapping[str, str],
                   base: HostSettings | None = None,
                   stored: Mapping[str, str] | None = None
                   ) -> tuple[dict[str, str], HostSettings]:
    """`--set` values checked: the plugin's options against its declaration (merged over
    `stored` ones; an empty value removes one) and the host's settings. Returns the plugin
    options to store (only those given, normalised) and the host settings; a
    ValidationError lists every problem."""
    host_given, plugin_given = split_host_options(given)
    merged = {**(stored or {}), **plugin_given}
    merged = {k: v for k, v in merged.items() if v.strip()}
    problems: list[str] = []
    options: dict[str, str] = {}
    try:
        resolved = resolve_options(info.options, merged)
        options = {k: resolved[k] for k in merged if k in resolved}
    except ValidationError as exc:
        problems.extend(exc.problems)
    settings = base or HostSettings()
    try:
        settings = settings.with_given(host_given)
    except ValidationError as exc:
        problems.extend(exc.problems)
    if settings.directory and not info.directory_capable:
        problems.append(f"the plugin '{info.id}' cannot be the company directory (its users "
                        "are not a people list)")
    elif settings.directory and (narrowed := partial_options(info.options, merged)):
        problems.append(directory_refused(narrowed))
    if problems:
        raise ValidationError(problems)
    return options, settings


def add_integration(ctx: ServiceContext, plugin_id: str, name: str, tool: str,
                    given: Mapping[str, str] | None = None, secret: str | None = None, *,
                    secrets: SecretStore | None = None,
                    registry: Registry | None = None) -> IntegrationRow:
    """Adds an integration of `plugin_id` feeding `tool` (added to the inventory when new).
    `given`: the `--set` values; `secret`: what the plugin's declaration asks for (stored in
    the OS keyring). Nothing is written unless everything checks out."""
    info = _plugin(registry or load_registry(), plugin_id)
    options, settings = check_settings(info, given or {})
    if info.secret is not None and not secret:
        raise ValidationError(f"the plugin '{info.id}' needs its secret ({info.secret.label}): "
                              "give it with --secret-stdin, or in the app's password field")
    store = secrets or SecretStore()
    ref = f"integration-{uuid.uuid4().hex}" if info.secret is not None else None
    stored_secret = False
    try:
        with ctx.transaction() as session:
            clean = _clean_name(session, name)
            tool_id, new_tool = _tool_id(session, ctx, tool)
            row = Integration(plugin_id=info.id, tool_id=tool_id, name=clean, options=options,
                              secret_ref=ref, enabled=True,
                              is_directory_source=settings.directory,
                              interval_minutes=settings.interval_minutes,
                              brake_pct=settings.brake_pct)
            session.add(row)
            session.flush()
            audit.record(session, ctx, action="create", entity="integration",
                         entity_id=row.id,
                         summary=f"created integration {clean} ({info.id}) feeding {tool}"
                                 + (" (a new tool)" if new_tool else ""),
                         changes={k: [None, v] for k, v in audit.snapshot(row, FIELDS).items()})
            if ref is not None and secret:
                # Last: a refused keyring rolls the row back.
                store.set(ref, secret)
                stored_secret = True
            integration_id = row.id
    except BaseException:
        if stored_secret and ref is not None:
            store.delete(ref)
        raise
    return get_integration(ctx, integration_id, registry=registry)


def edit_integration(ctx: ServiceContext, name: str, *, new_name: str | None = None,
                     tool: str | None = None, given: Mapping[str, str] | None = None,
                     secret: str | None = None, enabled: bool | None = None,
                     secrets: SecretStore | None = None,
                     registry: Registry | None = None) -> IntegrationRow:
    """Changes an integration: its name, tool, `--set` values (an empty value clears a
    plugin option), secret (replaced in the keyring) or whether scheduled syncs run it."""
    reg = registry or load_registry()
    store = secrets or SecretStore()
    with ctx.transaction() as session:
        row = find_integration(session, name)
        info = _plugin(reg, row.plugin_id)
        base = HostSettings(row.interval_minutes, row.brake_pct, row.is_directory_source)
        options, settings = check_settings(info, given or {}, base, row.options or {})
        values: dict[str, Any] = {
            "options": options, "interval_minutes": settings.interval_minutes,
            "brake_pct": settings.brake_pct, "is_directory_source": settings.directory}
        if new_name is not None:
            values["name"] = _clean_name(session, new_name, exclude_id=row.id)
        if tool is not None:
            values["tool_id"] = _tool_id(session, ctx, tool)[0]
        if enabled is not None:
            values["enabled"] = enabled
        apply_changes(session, ctx, row, values, entity="integration",
                      label=f"integration {row.name}")
        if secret:
            if info.secret is None:
                raise ValidationError(f"the plugin '{info.id}' takes no secret")
            if row.secret_ref is None:
                row.secret_ref = f"integration-{uuid.uuid4().hex}"
            store.set(row.secret_ref, secret)
            audit.record(session, ctx, action="update", entity="integration",
                         entity_id=row.id,
                         summary=f"integration {row.name}: secret replaced in the OS keyring")
        integration_id = row.id
    return get_integration(ctx, integration_id, registry=reg)


def remove_integration(ctx: ServiceContext, name: str, *,
                       secrets: SecretStore | None = None) -> str:
    """Removes the integration, its runs and its secret. The accounts it synced stay (their
    history and audit trail are the inventory's), no longer listed by it."""
    store = secrets or SecretStore()
    with ctx.transaction() as session:
        row = find_integration(session, name)
        removed = row.name
        audit.record(session, ctx, action="delete", entity="integration", entity_id=row.id,
                     summary=f"deleted integration {removed} ({row.plugin_id}) and its secret",
                     changes={k: [v, None] for k, v in audit.snapshot(row, FIELDS).items()})
        # First: a keyring that refuses keeps the row. Without any keyring on this computer
        # there is no secret here to remove.
        if row.secret_ref and store.available():
            store.delete(row.secret_ref)
        session.delete(row)
    return removed


def read_secret(row: Integration, info: PluginInfo, store: SecretStore) -> str | None:
    """The integration's secret from the keyring; a UserError in words when it is needed and
    not there (another computer sharing the database keeps its own keyring)."""
    if info.secret is None:
        return None
    value = store.get(row.secret_ref) if row.secret_ref else None
    if not value:
        raise UserError(f"the secret of '{row.name}' is not in this computer's keyring: store "
                        f"it with `stackadmin integrations edit \"{row.name}\" --secret-stdin`")
    return value


def test_integration(ctx: ServiceContext, name: str, *, secrets: SecretStore | None = None,
                     registry: Registry | None = None, **run_settings: Any) -> CheckResult:
    """Runs the plugin's `check` (one cheap call proving the credentials): what it proved,
    or a PluginError in words."""
    reg = registry or load_registry()
    with ctx.read() as session:
        row = find_integration(session, name)
        info = _plugin(reg, row.plugin_id)
        options = dict(row.options or {})
        secret = read_secret(row, info, secrets or SecretStore())
    with PluginRun(info.plugin_class, options, secret, **run_settings) as run:
        return run.check()


def test_settings(plugin_id: str, given: Mapping[str, str], secret: str | None, *,
                  registry: Registry | None = None, **run_settings: Any) -> CheckResult:
    """`check` with options and a secret not saved yet (the app's form: Test connection)."""
    info = _plugin(registry or load_registry(), plugin_id)
    options, _settings = check_settings(info, given)
    with PluginRun(info.plugin_class, options, secret, **run_settings) as run:
        return run.check()


def get_integration(ctx: ServiceContext, integration_id: int, *,
                    registry: Registry | None = None) -> IntegrationRow:
    for row in list_integrations(ctx, registry=registry):
        if row.id == integration_id:
            return row
    raise NotFoundError(f"there is no integration with id {integration_id}")


def list_integrations(ctx: ServiceContext, *, tool_id: int | None = None,
                      registry: Registry | None = None) -> list[IntegrationRow]:
    """Every integration (or one tool's) by name, with its last run and whether its plugin
    can be used."""
    reg = registry or load_registry()
    usable = {p.id: p for p in reg.plugins()}
    broken = {b.id: b.reason for b in reg.broken()}
    latest = (select(SyncRun.integration_id, func.max(SyncRun.id).label("run_id"))
              .group_by(SyncRun.integration_id).subquery())
    query = (
        select(Integration, Tool.name, SyncRun)
        .outerjoin(Tool, Tool.id == Integration.tool_id)
        .outerjoin(latest, latest.c.integration_id == Integration.id)
        .outerjoin(SyncRun, SyncRun.id == latest.c.run_id)
    )
    if tool_id is not None:
        query = query.where(Integration.tool_id == tool_id)
    rows: list[IntegrationRow] = []
    with ctx.read() as session:
        for i, tool, run in session.execute(query):
            info = usable.get(i.plugin_id)
            problem = None
            if info is None:
                problem = broken.get(i.plugin_id) or (f"the plugin '{i.plugin_id}' is not "
                                                      "installed")
            rows.append(IntegrationRow(
                id=i.id, name=i.name, plugin_id=i.plugin_id, tool=tool, enabled=i.enabled,
                is_directory_source=i.is_directory_source,
                last_sync_at=run.started_at if run else None,
                last_status=run.status if run else None,
                last_error=run.error if run else None, tool_id=i.tool_id,
                plugin_name=info.name if info else None, plugin_problem=problem,
                options=dict(i.options or {}), interval_minutes=i.interval_minutes,
                brake_pct=i.brake_pct, last_success_at=i.last_success_at,
                last_dry_run=bool(run and run.dry_run),
                last_counts=((run.added, run.changed, run.deprovisioned, run.unchanged)
                             if run and run.status == SyncStatus.OK.value else None),
                has_secret=i.secret_ref is not None,
                directory_capable=bool(info and info.directory_capable),
                secret_label=info.secret.label if info and info.secret else None,
                last_finished_at=run.finished_at if run else None,
                last_added=run.added if run else None,
                last_changed=run.changed if run else None,
                last_removed=run.deprovisioned if run else None))
    return sorted(rows, key=lambda r: by_name(r.name))
