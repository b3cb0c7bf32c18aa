"""Connections between the company's tools (what flows, how, who owns it, whether it works),
their incidents with the time each took to fix, and what depends on a tool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from stackadmin.domain.limits import MAX_MOMENT, MAX_YEAR, MIN_MOMENT, MIN_YEAR
from stackadmin.domain.values import optional_text, parse_choice, required_text
from stackadmin.domain.vocab import CONNECTION_LIVE, ConnectionMethod, ConnectionStatus
from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import add_audited, apply_changes, delete_audited, get_or_404
from stackadmin.services.inventory import settings
from stackadmin.services.inventory.tools import find_tool, owner_id_for
from stackadmin.store.models import Connection, ConnectionIncident, Person, Tool

# Broken first: the order in which a reader should look at connections.
_URGENCY = {ConnectionStatus.BROKEN.value: 0, ConnectionStatus.DEGRADED.value: 1,
            ConnectionStatus.WORKING.value: 2, ConnectionStatus.PLANNED.value: 3,
            ConnectionStatus.RETIRED.value: 4}
FIELDS = ("from_tool_id", "to_tool_id", "what", "method", "owner_id", "status",
          "last_verified", "notes")
INCIDENT_FIELDS = ("connection_id", "started_at", "symptom", "cause", "fix", "handled_by",
                   "resolved_at")


@dataclass(frozen=True, slots=True)
class ConnectionRow:
    id: int
    from_tool_id: int
    from_tool: str
    from_category: str | None
    to_tool_id: int
    to_tool: str
    to_category: str | None
    what: str
    method: str
    status: str
    owner_email: str | None
    owner_name: str | None
    last_verified: date | None
    added_on: date
    notes: str | None
    open_incidents: int

    @property
    def label(self) -> str:
        return f"{self.from_tool} → {self.to_tool}: {self.what}"

    @property
    def owner(self) -> str | None:
        return self.owner_name or self.owner_email

    def other_tool(self, tool_id: int) -> str:
        return self.to_tool if self.from_tool_id == tool_id else self.from_tool

    def verified_since(self) -> date:
        """The day it was last known to work: verified, else the day it was recorded."""
        return self.last_verified or self.added_on

    def unverified_on(self, day: date, days: int) -> bool:
        """A live connection not verified (nor added) within `days` days of `day`."""
        return (self.status in CONNECTION_LIVE
                and (day - self.verified_since()).days > days)

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON object (the keys are a contract: add, never rename)."""
        return {
            "id": self.id,
            "from_tool": self.from_tool,
            "to_tool": self.to_tool,
            "what": self.what,
            "method": self.method,
            "status": self.status,
            "owner": self.owner_email,
            "last_verified": None if self.last_verified is None
            else self.last_verified.isoformat(),
            "open_incidents": self.open_incidents,
        }


@dataclass(frozen=True, slots=True)
class IncidentRow:
    id: int
    connection_id: int
    started_at: datetime
    symptom: str
    cause: str | None
    fix: str | None
    handled_by: str | None
    resolved_at: datetime | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    @property
    def time_to_fix(self) -> timedelta | None:
        return None if self.resolved_at is None else self.resolved_at - self.started_at


@dataclass(frozen=True, slots=True)
class ConnectionHistory:
    connection: ConnectionRow
    incidents: list[IncidentRow]  # newest first

    @property
    def mean_time_to_fix(self) -> timedelta | None:
        fixed = [i.time_to_fix for i in self.incidents if i.time_to_fix is not None]
        return sum(fixed, timedelta()) / len(fixed) if fixed else None


def duration_text(span: timedelta | None) -> str:
    """'3 d 4 h', '2 h 5 min', '40 min': how long a fix took, in words a person reads."""
    if span is None:
        return ""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


# -- reading ----------------------------------------------------------------------------
def _query() -> Any:
    src, dst = aliased(Tool), aliased(Tool)
    open_count = (select(func.count()).where(ConnectionIncident.connection_id == Connection.id,
                                              ConnectionIncident.resolved_at.is_(None))
                  .correlate(Connection).scalar_subquery())
    return (select(Connection.id, Connection.from_tool_id, src.name, src.category,
                   Connection.to_tool_id, dst.name, dst.category, Connection.what,
                   Connection.method, Connection.status, Person.email, Person.name,
                   Connection.last_verified, Connection.created_at, Connection.notes,
                   open_count)
            .join(src, src.id == Connection.from_tool_id)
            .join(dst, dst.id == Connection.to_tool_id)
            .outerjoin(Person, Person.id == Connection.owner_id))


def _rows(session: Session, query: Any) -> list[ConnectionRow]:
    out = []
    for (cid, from_id, from_name, from_cat, to_id, to_name, to_cat, what, method, status,
         email, name, verified, created, notes, incidents) in session.execute(query):
        out.append(ConnectionRow(cid, from_id, from_name, from_cat, to_id, to_name, to_cat,
                                 what, method, status, email, name or None, verified,
                                 created.date(), notes, int(incidents or 0)))
    out.sort(key=lambda r: (r.from_tool.lower(), r.to_tool.lower(), r.id))
    return out


def list_connections(ctx: ServiceContext, *, status: str | None = None,
                     tool_id: int | None = None) -> list[ConnectionRow]:
    """Every connection (or those of one status, or touching one tool), by tool names."""
    query = _query()
    if status is not None:
        query = query.where(Connection.status == parse_choice(status, ConnectionStatus,
                                                              "status"))
    if tool_id is not None:
        query = query.where(or_(Connection.from_tool_id == tool_id,
                                Connection.to_tool_id == tool_id))
    with ctx.read() as session:
        return _rows(session, query)


def get_connection(ctx: ServiceContext, connection_id: int) -> ConnectionRow:
    with ctx.read() as session:
        get_or_404(session, Connection, connection_id, "connection")
        return _rows(session, _query().where(Connection.id == connection_id))[0]


def history(ctx: ServiceContext, connection_id: int) -> ConnectionHistory:
    """The connection and every incident on it, newest first."""
    row = get_connection(ctx, connection_id)
    with ctx.read() as session:
        incidents = [
            _incident_row(i) for i in session.scalars(
                select(ConnectionIncident)
                .where(ConnectionIncident.connection_id == connection_id)
                .order_by(ConnectionIncident.started_at.desc(), ConnectionIncident.id.desc()))]
    return ConnectionHistory(row, incidents)


def _incident_row(i: ConnectionIncident) -> IncidentRow:
    return IncidentRow(i.id, i.connection_id, i.started_at, i.symptom, i.cause, i.fix,
                       i.handled_by, i.resolved_at)


def depending_on(ctx: ServiceContext, tool_id: int) -> list[ConnectionRow]:
    """What breaks if the tool is cancelled: every connection to or from it that is not
    retired, broken ones first, then by the other tool's name."""
    rows = [r for r in list_connections(ctx, tool_id=tool_id)
            if r.status != ConnectionStatus.RETIRED.value]
    rows.sort(key=lambda r: (_URGENCY.get(r.status, 9), r.other_tool(tool_id).lower(), r.id))
    return rows


def depending_on_name(ctx: ServiceContext, tool: str) -> list[ConnectionRow]:
    with ctx.read() as session:
        tool_id = find_tool(session, tool).id
    return depending_on(ctx, tool_id)


def impact_lines(rows: list[ConnectionRow]) -> list[str]:
    """One sentence per dependent connection: 'Jira issues → Slack #eng (native, working);
    owner Ada Okafor <ada@example.com>'."""
    out = []
    for r in rows:
        owner = (f"owner {r.owner_name} <{r.owner_email}>" if r.owner_name and r.owner_email
                 else f"owner {r.owner_email}" if r.owner_email else "no owner")
        out.append(f"{r.from_tool} → {r.to_tool}: {r.what} ({r.method}, {r.status}); {owner}")
    return out


@dataclass(frozen=True, slots=True)
class ConnectionHealth:
    """The dashboard's and the digest's view: broken now, and live connections not
    verified for `days` days."""

    as_of: date
    days: int
    broken: list[ConnectionRow]
    unverified: list[ConnectionRow]


def health(ctx: ServiceContext, as_of: date | None = None) -> ConnectionHealth:
    day = as_of or ctx.today()
    with ctx.read() as session:
        days = int(settings.get_raw(session, "unverified_days"))
    rows = list_connections(ctx)
    broken = [r for r in rows if r.status == ConnectionStatus.BROKEN.value]
    unverified = sorted((r for r in rows if r.status != ConnectionStatus.BROKEN.value
                         and r.unverified_on(day, days)), key=lambda r: r.verified_since())
    return ConnectionHealth(day, days, broken, unverified)


# -- changing ---------------------------------------------------------------------------
def _tool_id(session: Session, name: Any, what: str) -> int:
    if isinstance(name, int):
        return get_or_404(session, Tool, name, "tool").id
    text = required_text(name, what)
    return find_tool(session, text).id


def _clean(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems: list[str] = []

    def take(key: str, parse: Any) -> None:
        if key in values:
            try:
                out[key] = parse(values[key])
            except ValidationError as exc:
                problems.extend(exc.problems)

    take("from_tool", lambda v: _tool_id(session, v, "from tool"))
    take("to_tool", lambda v: _tool_id(session, v, "to tool"))
    take("what", lambda v: required_text(v, "what flows", 300))
    take("method", lambda v: parse_choice(v, ConnectionMethod, "method"))
    take("status", lambda v: parse_choice(v, ConnectionStatus, "status"))
    take("owner", lambda v: owner_id_for(session, v))
    take("notes", lambda v: optional_text(v, "notes", 10_000))
    take("last_verified", lambda v: v if v is None or isinstance(v, date) else
         date.fromisoformat(str(v)))
    unknown = set(values) - {"from_tool", "to_tool", "what", "method", "status", "owner",
                             "notes", "last_verified"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if problems:
        raise ValidationError(problems)
    renamed = {"from_tool": "from_tool_id", "to_tool": "to_tool_id", "owner": "owner_id"}
    return {renamed.get(k, k): v for k, v in out.items()}


def _flow_key(what: str) -> str:
    return " ".join(what.casefold().split())


def _refuse_a_second(session: Session, data: dict[str, Any]) -> None:
    """The same flow between the same two tools is recorded once (a second row would be
    counted twice in what a cancel breaks); a retired one may be recorded again."""
    rows = session.execute(select(Connection.id, Connection.what).where(
        Connection.from_tool_id == data["from_tool_id"],
        Connection.to_tool_id == data["to_tool_id"],
        Connection.status != ConnectionStatus.RETIRED.value)).all()
    same = next((i for i, what in rows if _flow_key(what) == _flow_key(data["what"])), None)
    if same is not None:
        names = dict(session.execute(select(Tool.id, Tool.name).where(
            Tool.id.in_([data["from_tool_id"], data["to_tool_id"]]))).all())
        raise ValidationError(
            f"what flows: connection {same} records {names[data['from_tool_id']]} → "
            f"{names[data['to_tool_id']]}: {data['what']} already (verify it, or change "
            "it, rather than adding it again)")


def add_connection(ctx: ServiceContext, from_tool: str | int, to_tool: str | int, *, what: str,
                   method: str, owner: str | None = None,
                   status: str = ConnectionStatus.WORKING.value,
                   notes: str | None = None) -> ConnectionRow:
    """Records a connection between two tools (by name or id), audited."""
    with ctx.transaction() as session:
        data = _clean(session, {"from_tool": from_tool, "to_tool": to_tool, "what": what,
                                "method": method, "owner": owner, "status": status,
                                "notes": notes})
        if data["from_tool_id"] == data["to_tool_id"]:
            raise ValidationError("to tool: a connection links two different tools")
        _refuse_a_second(session, data)
        # Recorded on the context's day: a connection is "unverified" N days after it.
        row = Connection(**data, created_at=_now(ctx))
        names = {t.id: t.name for t in session.scalars(select(Tool).where(
            Tool.id.in_([data["from_tool_id"], data["to_tool_id"]])))}
        add_audited(session, ctx, row, entity="connection",
                    label=f"connection {names[row.from_tool_id]} → {names[row.to_tool_id]}",
                    fields=FIELDS)
        new_id = row.id
    return get_connection(ctx, new_id)


def update_connection(ctx: ServiceContext, connection_id: int, **values: Any) -> ConnectionRow:
    """Changes any of from_tool, to_tool, what, method, status, owner, notes, audited."""
    with ctx.transaction() as session:
        row = get_or_404(session, Connection, connection_id, "connection")
        data = _clean(session, values)
        if data.get("from_tool_id", row.from_tool_id) == data.get("to_tool_id", row.to_tool_id):
            raise ValidationError("to tool: a connection links two different tools")
        apply_changes(session, ctx, row, data, entity="connection",
                      label=f"connection {connection_id}")
    return get_connection(ctx, connection_id)


def delete_connection(ctx: ServiceContext, connection_id: int) -> None:
    with ctx.transaction() as session:
        row = get_or_404(session, Connection, connection_id, "connection")
        delete_audited(session, ctx, row, entity="connection",
                       label=f"connection {connection_id} ({row.what})", fields=FIELDS)


def verify(ctx: ServiceContext, connection_id: int) -> ConnectionRow:
    """Records that the connection was checked today and works: verified today, and a
    planned, degraded or broken connection is working again. A retired one is refused."""
    with ctx.transaction() as session:
        row = get_or_404(session, Connection, connection_id, "connection")
        if row.status == ConnectionStatus.RETIRED.value:
            raise ValidationError(f"connection {connection_id} is retired: change its status "
                                  "before verifying it")
        apply_changes(session, ctx, row, {"last_verified": ctx.today(),
                                          "status": ConnectionStatus.WORKING.value},
                      entity="connection", label=f"connection {connection_id} verified")
    return get_connection(ctx, connection_id)


def _now(ctx: ServiceContext) -> datetime:
    """Now, on the context's day (a pinned clock in tests and `--as-of` runs)."""
    now = datetime.now(UTC)
    day = ctx.today()
    return now if now.date() == day else datetime.combine(day, now.time(), tzinfo=UTC)


def _aware(value: datetime | date | None, ctx: ServiceContext) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time(), tzinfo=UTC)
    if value.tzinfo is None:
        raise ValidationError(f"the time {value.isoformat()} needs a time zone (e.g. Z)")
    return value.astimezone(UTC)


def record_incident(ctx: ServiceContext, connection_id: int, *, symptom: str,
                    cause: str | None = None, fix: str | None = None,
                    handled_by: str | None = None, started_at: datetime | date | None = None,
                    resolved: bool = False, resolved_at: datetime | None = None
                    ) -> IncidentRow:
    """Records an incident on a connection, audited. An open incident marks a working
    connection broken; a resolved one leaves its status alone."""
    now = _now(ctx)
    start = _aware(started_at, ctx) or now
    end = _aware(resolved_at, ctx) or (now if resolved else None)
    problems = []
    text = (symptom or "").strip()
    if not text:
        problems.append("symptom: say what was seen (e.g. 'no alerts since Monday')")
    if start > now + timedelta(minutes=5):
        problems.append(f"started: {start.isoformat()} is in the future")
    elif start < MIN_MOMENT:
        problems.append(f"started: must be between {MIN_YEAR} and now, got {start.isoformat()}")
    if end is not None and not MIN_MOMENT <= end <= MAX_MOMENT:
        problems.append(f"resolved: must be between {MIN_YEAR} and {MAX_YEAR}, got "
                        f"{end.isoformat()}")
    elif end is not None and end < start:
        problems.append(f"resolved: {end.isoformat()} is before the start "
                        f"{start.isoformat()}")
    if problems:
        raise ValidationError(problems)
    with ctx.transaction() as session:
        connection = get_or_404(session, Connection, connection_id, "connection")
        incident = ConnectionIncident(
            connection_id=connection_id, started_at=start, symptom=text,
            cause=optional_text(cause, "cause", 10_000), fix=optional_text(fix, "fix", 10_000),
            handled_by=optional_text(handled_by, "who", 200) or ctx.actor, resolved_at=end)
        add_audited(session, ctx, incident, entity="connection_incident",
                    label=f"incident on connection {connection_id}: {text[:80]}",
                    fields=INCIDENT_FIELDS)
        if end is None and connection.status == ConnectionStatus.WORKING.value:
            apply_changes(session, ctx, connection, {"status": ConnectionStatus.BROKEN.value},
                          entity="connection", label=f"connection {connection_id}")
        return _incident_row(incident)


def resolve_incident(ctx: ServiceContext, incident_id: int, *, cause: str | None = None,
                     fix: str | None = None, resolved_at: datetime | None = None
                     ) -> IncidentRow:
    """Closes an incident (now, or at `resolved_at`), with its cause and fix; once the last
    open incident is closed, a broken or degraded connection is working again."""
    with ctx.transaction() as session:
        incident = get_or_404(session, ConnectionIncident, incident_id, "incident")
        if incident.resolved_at is not None:
            raise ValidationError(f"incident {incident_id} was resolved on "
                                  f"{incident.resolved_at.date().isoformat()} already")
        end = _aware(resolved_at, ctx) or _now(ctx)
        if end < incident.started_at:
            raise ValidationError(f"resolved: {end.isoformat()} is before the start "
                                  f"{incident.started_at.isoformat()}")
        values: dict[str, Any] = {"resolved_at": end}
        if cause is not None:
            values["cause"] = optional_text(cause, "cause", 10_000)
        if fix is not None:
            values["fix"] = optional_text(fix, "fix", 10_000)
        apply_changes(session, ctx, incident, values, entity="connection_incident",
                      label=f"incident {incident_id} resolved")
        session.flush()
        still_open = session.scalar(select(func.count()).where(
            ConnectionIncident.connection_id == incident.connection_id,
            ConnectionIncident.resolved_at.is_(None))) or 0
        connection = session.get(Connection, incident.connection_id)
        if (connection is not None and not still_open and connection.status in
                (ConnectionStatus.BROKEN.value, ConnectionStatus.DEGRADED.value)):
            apply_changes(session, ctx, connection,
                          {"status": ConnectionStatus.WORKING.value},
                          entity="connection", label=f"connection {connection.id}")
        return _incident_row(incident)
