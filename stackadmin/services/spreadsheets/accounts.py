"""The accounts import: a vendor's user list for one tool, upserted by external id or email.

Built for 100,000-row files: one pass over the rows with plain dict lookups, the tool's
existing accounts loaded once as tuples, and bulk Core inserts/updates in batches."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.limits import check_text, text_problem
from stackadmin.domain.spreadsheet import (
    clean_text,
    header_key,
    parse_timestamp,
    refuse_formula,
    unquote,
)
from stackadmin.errors import UserError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.spreadsheets.plan import (
    Cells,
    Change,
    ImportOptions,
    Problem,
    TablePlan,
    Writes,
    audit_rows,
)
from stackadmin.store.models import Account, Person, Tool, utcnow

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ROLES = {
    "owner": "owner", "primary owner": "owner", "workspace owner": "owner",
    "org owner": "owner", "admin": "admin", "administrator": "admin",
    "workspace admin": "admin", "org admin": "admin", "super admin": "admin",
    "member": "member", "user": "member", "full member": "member", "regular": "member",
    "standard": "member", "editor": "member", "developer": "member", "": "member",
    "guest": "guest", "viewer": "guest", "external": "guest", "read only": "guest",
    "single channel guest": "guest", "multi channel guest": "guest", "collaborator": "guest",
    "billing": "billing", "billing admin": "billing", "billing manager": "billing",
}
_STATUSES = {
    "active": "active", "enabled": "active", "": "active",
    "invited": "invited", "pending": "invited", "invitation sent": "invited",
    "suspended": "suspended", "disabled": "suspended", "deactivated": "suspended",
    "locked": "suspended", "deprovisioned": "deprovisioned", "deleted": "deprovisioned",
    "removed": "deprovisioned",
}
_FIELDS = ("email", "display_name", "role", "status", "last_activity", "activity_known",
           "external_id", "person_id", "vendor_role")
_ROLE_AT = 2 + _FIELDS.index("role")
MAX_VENDOR_ROLE = 100  # the column's length  # in a row of _existing: id, tool_id, *_FIELDS


def _key(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


def _choice(words: dict[str, str], cell: str) -> str:
    """The value a cell names (as written, or in any case / spacing); "" when none."""
    return words.get(cell) or words.get(_key(cell), "")


def _vendor_word(cell: str, role: str) -> str | None:
    """The vendor's own word for a role ('Workspace Admin'), kept beside the normalised one
    ('admin'); None when the cell says no more than the role itself."""
    word = " ".join(unquote(cell.strip()).split())
    if _key(word) in ("", role):
        return None
    if len(word) > MAX_VENDOR_ROLE:
        raise ValidationError(f"is longer than {MAX_VENDOR_ROLE} characters")
    return word


class AccountsPlan(TablePlan):
    """An accounts import: new seats are marked as from a CSV, first seen now."""

    def constants(self) -> dict[str, Any] | None:
        now = utcnow()
        return {"source": "csv", "first_seen": now, "updated_at": now}


def _tools(session: Session, cells: Cells, options: ImportOptions,
           problems: list[Problem]) -> tuple[dict[str, int], int | None]:
    names = {name.lower(): tool_id for tool_id, name in session.execute(
        select(Tool.id, Tool.name))}
    fixed = None
    if options.tool:
        fixed = names.get(options.tool.strip().lower())
        if fixed is None:
            raise UserError(f"there is no tool named '{options.tool}' (see the tools list; "
                            "import subscriptions to add tools)")
    elif not cells.has("tool"):
        problems.append(Problem(1, None, "accounts belong to a tool: give --tool NAME, or "
                                         "a tool column"))
    return names, fixed


def plan(session: Session, ctx: ServiceContext, cells: Cells, options: ImportOptions,
         problems: list[Problem]) -> AccountsPlan:
    tool_ids, fixed_tool = _tools(session, cells, options, problems)
    result = AccountsPlan(Writes())
    if problems:
        return result
    if not cells.has("email") and not cells.has("external_id"):
        problems.append(Problem(1, None, "the file needs an email or an external_id column"))
        return result
    idx = cells.index
    i_email, i_name, i_role = idx.get("email"), idx.get("name"), idx.get("role")
    i_status, i_last, i_ext, i_tool = (idx.get("status"), idx.get("last_active"),
                                       idx.get("external_id"), idx.get("tool"))
    has_activity = i_last is not None
    date_format = options.date_format
    col = cells.column
    email_ok, roles, statuses = _EMAIL.match, _ROLES, _STATUSES
    records: list[tuple[int, int, dict[str, Any]]] = []
    seen: dict[tuple[int, str], int] = {}
    for number, row in zip(cells.table.row_numbers, cells.table.rows, strict=True):
        bad = False
        if i_tool is not None and (text := unquote(row[i_tool].strip())):
            tool_id = tool_ids.get(text.lower())
            if tool_id is None or (fixed_tool is not None and tool_id != fixed_tool):
                problems.append(Problem(number, col("tool"), "is not the tool being imported"
                                        if tool_id else "is not a tool in the inventory", text))
                bad = True
        else:
            tool_id = fixed_tool
            if tool_id is None:
                problems.append(Problem(number, col("tool"), "is required", ""))
                bad = True
        email = None
        if i_email is not None:
            raw = row[i_email]
            email = unquote(raw.strip()).lower() or None
            try:
                refuse_formula(raw)
            except ValidationError as exc:
                problems.append(Problem(number, col("email"), str(exc), raw))
                bad = True
            else:
                if email is not None and (email_ok(email) is None or len(email) > 320
                                          or text_problem(email)):
                    problems.append(Problem(number, col("email"), "is not an email address",
                                            raw))
                    bad = True
        ext = unquote(row[i_ext].strip()) or None if i_ext is not None else None
        if ext is not None:
            try:
                if i_ext is not None:
                    refuse_formula(row[i_ext])
                check_text(ext, max_length=200)
            except ValidationError as exc:
                problems.append(Problem(number, col("external_id"), str(exc), ext))
                bad = True
        if email is None and ext is None:
            problems.append(Problem(number, col("email" if i_email is not None
                                                else "external_id"),
                                    "an account needs an email or the vendor's id", ""))
            bad = True
        name = None
        if i_name is not None and (raw := row[i_name]):
            try:
                name = clean_text(raw) or None
            except ValidationError as exc:
                problems.append(Problem(number, col("name"), str(exc), raw))
                bad = True
            if name is not None and len(name) > 200:
                problems.append(Problem(number, col("name"), "is longer than 200 characters",
                                        raw))
                bad = True
        role, vendor_role = "member", None
        if i_role is not None:
            role = _choice(roles, row[i_role])
            if not role:
                problems.append(Problem(number, col("role"), "must be owner, admin, member, "
                                        "guest or billing", row[i_role]))
                bad = True
            else:
                try:
                    vendor_role = _vendor_word(row[i_role], role)
                except ValidationError as exc:
                    problems.append(Problem(number, col("role"), str(exc), row[i_role]))
                    bad = True
        status = "active"
        if i_status is not None:
            status = _choice(statuses, row[i_status])
            if not status:
                problems.append(Problem(number, col("status"), "must be active, invited, "
                                        "suspended or deprovisioned", row[i_status]))
                bad = True
        known, last = has_activity, None
        if i_last is not None:
            text = row[i_last].strip()
            if text.lower() == "unknown":
                known = False
            elif text:
                try:
                    last = parse_timestamp(text, date_format)
                except ValidationError as exc:
                    problems.append(Problem(number, col("last_active"), str(exc), text))
                    bad = True
        if bad or tool_id is None:
            continue
        key = (tool_id, f"id:{ext}" if ext is not None else f"email:{email}")
        first = seen.get(key)
        if first is not None:
            what = "external_id" if ext is not None else "email"
            problems.append(Problem(number, col(what), f"the same account as row {first}",
                                    ext if ext is not None else email))
            continue
        seen[key] = number
        records.append((number, tool_id, {
            "email": email, "display_name": name, "role": role, "status": status,
            "last_activity": last, "activity_known": known, "external_id": ext,
            "vendor_role": vendor_role}))
    if problems:
        return result
    # Fields a file without the column leaves as they are; activity is always given (no
    # last_active column means the source reports none), a time recorded before is kept.
    given = {"last_activity", "activity_known"}
    given.update(field for field, present in (
        ("email", i_email), ("display_name", i_name), ("role", i_role),
        ("vendor_role", i_role), ("status", i_status), ("external_id", i_ext),
        ("person_id", i_email))
        if present is not None)
    # The seats export's "person" column is the matched person's name, else the account's
    # own display name: read back as what it is (a name only for an unmatched account).
    person_column = header_key(cells.header.get("name", "")) == "person"
    _diff(session, ctx, records, result, given, person_column, problems, col)
    return result


def _existing(session: Session, tool_ids: set[int]
              ) -> tuple[dict[tuple[int, str], tuple[Any, ...]], dict[str, int]]:
    by_key: dict[tuple[int, str], tuple[Any, ...]] = {}
    rows = session.execute(
        select(Account.id, Account.tool_id, *(getattr(Account, f) for f in _FIELDS))
        .where(Account.tool_id.in_(tool_ids)))
    for row in rows:
        tool_id, ext, email = row[1], row[8], row[2]
        if ext is not None:
            by_key[(tool_id, f"id:{ext}")] = tuple(row)
        if email is not None:
            # An account without a vendor id is found by email; one with an id also answers
            # by email, for a file that has no id column, unless an account without one has
            # that email (the row without an id is that account).
            if ext is None:
                by_key[(tool_id, f"email:{email}")] = tuple(row)
            else:
                by_key.setdefault((tool_id, f"email:{email}"), tuple(row))
    people = dict(session.execute(select(Person.email, Person.id)).all())
    return by_key, people


def _diff(session: Session, ctx: ServiceContext, records: list[tuple[int, int, dict[str, Any]]],
          result: AccountsPlan, given: set[str], person_column: bool,
          problems: list[Problem], col: Callable[[str], str]) -> None:
    existing, people = _existing(session, {tool_id for _, tool_id, _ in records})
    names = dict(session.execute(select(Tool.id, Tool.name)).all())
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    diffs: list[tuple[int, str, dict[str, Any]]] = []
    changes = result.changes
    taken: dict[int, int] = {}  # account id -> the row that matched it
    for number, tool_id, values in records:
        email, ext = values["email"], values["external_id"]
        values["person_id"] = people.get(email) if email is not None else None
        derived_name = person_column and values["person_id"] is not None
        if derived_name:
            values["display_name"] = None  # the person's name, not the account's own
        label = f"account {email or ext} in {names[tool_id]}"
        old = None
        if existing:  # a first import of a tool skips the lookups
            old = existing.get((tool_id, f"id:{ext}")) if ext is not None else None
            if old is None and email is not None:
                candidate = existing.get((tool_id, f"email:{email}"))
                # Found by email only when it has no other vendor id.
                if candidate is not None and (candidate[8] is None or ext is None):
                    old = candidate
        if old is not None and old[0] in taken:
            if ext is not None and existing.get((tool_id, f"id:{ext}")) is old:
                # Its vendor id is an account another row matched by email: the same seat
                # twice, which neither an update nor a new seat can be.
                problems.append(Problem(number, col("external_id"),
                                        f"the same account as row {taken[old[0]]}", ext))
                continue
            old = None  # another account with this email: a seat of its own
        if old is None:
            values["tool_id"] = tool_id
            inserts.append(values)
            changes.append(Change(number, "add", label))
            continue
        taken[old[0]] = number
        changed: dict[str, tuple[Any, Any]] = {}
        for i, name in enumerate(_FIELDS, start=2):
            if name not in given or (name == "external_id" and values[name] is None):
                continue  # a column the file does not have; an empty id erases nothing
            if name == "display_name" and derived_name:
                continue
            if name == "last_activity" and not values["activity_known"]:
                continue  # not reported now: the last activity recorded before is kept
            if name == "vendor_role" and values[name] is None and values["role"] == old[_ROLE_AT]:
                continue  # a bare role word ('admin', as the seats export writes it) keeps
                # the vendor's own word for that role; a new role drops a word now wrong
            before, after = old[i], values[name]
            if before != after and not _same_moment(before, after):
                changed[name] = (before, after)
        if not changed:
            result.unchanged += 1
            continue
        updates.append({"id": old[0], "updated_at": now,
                        **{k: v for k, (_, v) in changed.items()}})
        diffs.append((old[0], label, changed))
        changes.append(Change(number, "update", label, tuple(changed)))
    if inserts:
        result.writes.inserts.append((Account, inserts))
    if updates:
        result.writes.updates.append((Account, updates))
    result.writes.update_audits = audit_rows(ctx, "account", diffs)


def _same_moment(a: Any, b: Any) -> bool:
    """The same moment to the second: exports write whole seconds, so a seat whose activity
    was recorded with microseconds reads back unchanged."""
    return (isinstance(a, datetime) and isinstance(b, datetime)
            and a.replace(microsecond=0) == b.replace(microsecond=0))
