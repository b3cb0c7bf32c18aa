"""The subscriptions import: one term per row, upserted by tool + plan + term start; tools,
vendors and owners named in the file are added when new."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from stackadmin.domain.limits import MAX_DATE, MAX_NOTICE_DAYS, MAX_SEATS, MIN_DATE
from stackadmin.domain.money import Money, exponent, normalize_currency
from stackadmin.domain.renewals import current_cycle
from stackadmin.domain.spreadsheet import (
    parse_amount,
    parse_count,
    parse_date,
    parse_period,
    parse_pricing,
    parse_yes_no,
    signed_currencies,
    written_decimals,
)
from stackadmin.domain.vocab import TermStatus
from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.spreadsheets.people import normalize_email_cell, text_field
from stackadmin.services.spreadsheets.plan import (
    Cells,
    Change,
    ImportOptions,
    Problem,
    Ticker,
    audit_rows,
    write_inserts,
    write_updates,
)
from stackadmin.store.models import AuditEvent, Person, SubscriptionTerm, Tool, Vendor, utcnow

TOOL_FIELDS = ("vendor", "category", "owner_email")
TERM_FIELDS = ("pricing", "unit_price_minor", "currency", "seats", "billing_months",
               "renewal_date", "auto_renew", "notice_days", "cost_center", "notes",
               "po_reference")
DEFAULTS: dict[str, Any] = {"pricing": "per_seat", "billing_months": 12, "auto_renew": True,
                            "notice_days": 0}
_FIELD_OF = {"billing_period": "billing_months"}  # a column's term field, where named apart


def _required(limit: int) -> Callable[[str], str]:
    optional = text_field(limit)

    def parse(text: str) -> str:
        value = optional(text)
        if value is None:
            raise ValidationError("is required")
        return value
    return parse


def _or_none(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda text: parse(text) if text.strip() else None


def _currency(text: str) -> str:
    try:
        return normalize_currency(text)
    except ValidationError:
        raise ValidationError("is not an ISO 4217 currency code (e.g. USD, EUR, JPY)") from None


def _days(text: str) -> int:
    return parse_count(text, MAX_NOTICE_DAYS) if text.strip() else 0


def _seats(text: str) -> int:
    return parse_count(text, MAX_SEATS)


@dataclass
class _Record:
    row: int
    tool: str
    tool_values: dict[str, Any]
    plan: str
    term_start: date | None
    values: dict[str, Any]
    cancel_by: date | None = None  # a finance export's: notice_days is derived from it
    blank: frozenset[str] = frozenset()  # the term fields whose cells are empty

    def changes(self, old: Any) -> dict[str, tuple[Any, Any]]:
        """What the row changes of the stored term `old`. An empty cell keeps what is
        stored: it is not the default a new term takes (per seat, renews by itself, no
        notice), nor the removal of a seat count, a renewal date or a note."""
        return _term_changes(old, {k: v for k, v in self.values.items()
                                   if k not in self.blank})


def _parse_rows(cells: Cells, options: ImportOptions,
                problems: list[Problem]) -> list[_Record]:
    fmt = options.date_format
    # A finance export (it has the cancel-by column) states renewal and cancel-by dates as
    # of a day: derived from the stored ones, they may lie past the years stored dates take.
    finance = cells.has("cancel_by")
    parsers: dict[str, Callable[[str], Any]] = {
        "tool": _required(200), "vendor": text_field(200), "category": text_field(120),
        "owner_email": _or_none(normalize_email_cell), "plan": text_field(200),
        "pricing": _or_none(parse_pricing), "currency": _currency,
        "seats": _or_none(_seats), "billing_period": _or_none(parse_period),
        "term_start": _or_none(lambda t: parse_date(t, fmt)),
        "renewal_date": _or_none(lambda t: parse_date(t, fmt, derived=finance)),
        "cancel_by": _or_none(lambda t: parse_date(t, fmt, derived=True)),
        "auto_renew": _or_none(parse_yes_no), "notice_days": _days,
        "cost_center": text_field(120), "notes": text_field(10_000, multiline=True),
        "po_reference": text_field(200),
    }
    given = [name for name in parsers if cells.has(name)]
    col = cells.column
    records: list[_Record] = []
    for number, row in zip(cells.table.row_numbers, cells.table.rows, strict=True):
        got: dict[str, Any] = {}
        ok = True
        for name in given:
            text = row[cells.index[name]]
            try:
                got[name] = parsers[name](text)
            except ValidationError as exc:
                problems.append(Problem(number, col(name), str(exc), text))
                ok = False
        price_text = row[cells.index["unit_price"]]
        price = None
        if "currency" in got:
            price = _price(price_text, got["currency"], options, number, col("unit_price"),
                           problems)
        if not ok or price is None:
            continue
        start, renewal = got.get("term_start"), got.get("renewal_date")
        if start and renewal and renewal < start:
            problems.append(Problem(number, col("renewal_date"), "is before the term start "
                                    f"{start.isoformat()}", row[cells.index["renewal_date"]]))
            continue
        values: dict[str, Any] = {
            k: got[k] for k in ("pricing", "currency", "seats", "renewal_date", "auto_renew",
                                "notice_days", "cost_center", "notes", "po_reference")
            if k in got}
        values["unit_price_minor"] = price.minor
        if "billing_period" in got:
            values["billing_months"] = got["billing_period"]
        blank = frozenset(_FIELD_OF.get(name, name) for name in given
                          if not row[cells.index[name]].strip())
        for key, default in DEFAULTS.items():
            if key in values and values[key] is None:
                values[key] = default
        derived = got.get("cancel_by") if "notice_days" not in got and renewal else None
        records.append(_Record(number, got["tool"], {k: got[k] for k in TOOL_FIELDS
                                                     if got.get(k) is not None},
                               got.get("plan") or "", start, values, derived, blank))
    return records


def _read_finance_dates(r: _Record, old: Any, cells: Cells, problems: list[Problem]) -> None:
    """A finance export states a term's renewal and cancel-by dates as of the day it was
    written: the renewal rolled forward when the term renews by itself, the cancel-by date
    less the notice period and the internal lead. Read back as what they are: a rolled
    renewal date of a known term is its stored one, and the notice period is what is left
    of the gap once the term's internal lead is taken off."""
    renewal: date = r.values["renewal_date"]
    assert r.cancel_by is not None
    lead = 0
    if old is not None:
        lead = old.internal_lead_days or 0
        if old.renewal_date is not None and _rolled_from(old, renewal):
            r.values["renewal_date"] = old.renewal_date
    notice = (renewal - r.cancel_by).days - lead
    kept = r.values["renewal_date"]
    if not MIN_DATE <= kept <= MAX_DATE:  # not the rolled date of a term we have
        problems.append(Problem(r.row, cells.column("renewal_date"), f"must be between "
                                f"{MIN_DATE.year} and {MAX_DATE.year}", renewal.isoformat()))
        return
    column = cells.column("cancel_by")
    if notice < 0:
        problems.append(Problem(r.row, column, "is after the renewal date less the term's "
                                f"internal lead ({lead} days)", r.cancel_by.isoformat()))
    elif notice > MAX_NOTICE_DAYS:
        problems.append(Problem(r.row, column, f"is more than {MAX_NOTICE_DAYS:,} days before "
                                "the renewal date", r.cancel_by.isoformat()))
    else:
        r.values["notice_days"] = notice


def _rolled_from(old: Any, renewal: date) -> bool:
    """Whether `renewal` is the stored term's renewal date rolled forward (or itself)."""
    if renewal == old.renewal_date:
        return True
    if not old.auto_renew or renewal < old.renewal_date:
        return False
    cycle = current_cycle(term_start=old.term_start, renewal_date=old.renewal_date,
                          auto_renew=True, notice_days=0, internal_lead_days=0, today=renewal)
    return cycle.renewal_date == renewal


def _price(text: str, currency: str, options: ImportOptions, number: int, column: str,
           problems: list[Problem]) -> Money | None:
    try:
        amount, code = parse_amount(text, decimal_comma=options.decimal_comma)
        if code is not None and code != currency:
            raise ValidationError(f"is in {code}, but the currency column says {currency}")
        signed = signed_currencies(text)
        if signed and currency not in signed:
            raise ValidationError(f"is in {' or '.join(signed)} (its sign), but the currency "
                                  f"column says {currency}")
        if amount < 0:
            raise ValidationError("cannot be negative")
        if written_decimals(amount) > exponent(currency):
            # '1.000' yen is no ¥1: more decimals than the currency has, even zeros, is
            # refused (a thousands separator read as a decimal point).
            raise ValidationError("more decimals")
        money = Money.from_decimal(amount, currency)
    except ValidationError as exc:
        message = str(exc)
        if "more decimals" in message:
            message = f"has more decimals than {currency} allows"
        problems.append(Problem(number, column, message if text.strip() else "is required",
                                text))
        return None
    return money


@dataclass
class SubscriptionsPlan:
    records: list[_Record]
    tools: dict[str, Any]  # lower name -> existing Tool row (id, name, vendor, cat., owner)
    vendors: dict[str, int]
    people: dict[str, int]
    terms: dict[tuple[int, str, date | None], Any]
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    size: int = 0
    warnings: list[Problem] = field(default_factory=list)

    def apply(self, session: Session, ctx: ServiceContext, ticker: Ticker) -> None:
        now = utcnow()
        stamp = {"created_at": now, "updated_at": now}
        vendors, people = dict(self.vendors), dict(self.people)
        new_vendors = {r.tool_values["vendor"].lower(): r.tool_values["vendor"]
                       for r in self.records if "vendor" in r.tool_values
                       and r.tool_values["vendor"].lower() not in vendors}
        vendors.update(_insert_ids(session, Vendor, "name", [
            {"name": name, **stamp} for name in new_vendors.values()]))
        vendors = {k.lower(): v for k, v in vendors.items()}
        new_people = {r.tool_values["owner_email"] for r in self.records
                      if "owner_email" in r.tool_values
                      and r.tool_values["owner_email"] not in people}
        people.update(_insert_ids(session, Person, "email", [
            {"email": e, "name": e.split("@")[0], "status": "active", "source": "csv", **stamp}
            for e in sorted(new_people)]))
        tool_ids = {k: t.id for k, t in self.tools.items()}
        new_tools: dict[str, dict[str, Any]] = {}
        tool_updates: list[dict[str, Any]] = []
        diffs: list[tuple[int, str, dict[str, Any]]] = []
        for r in self.records:
            key = r.tool.lower()
            wanted = _tool_columns(r.tool_values, vendors, people)
            if key not in self.tools:
                new_tools.setdefault(key, {"name": r.tool, **stamp}).update(wanted)
                continue
            old = self.tools[key]
            changed = {k: (getattr(old, k), v) for k, v in wanted.items()
                       if getattr(old, k) != v}
            if changed and old.id not in {u["id"] for u in tool_updates}:
                tool_updates.append({"id": old.id, "updated_at": now,
                                     **{k: v for k, (_, v) in changed.items()}})
                diffs.append((old.id, f"tool {old.name}", changed))
        ids = _insert_ids(session, Tool, "name", list(new_tools.values()))
        tool_ids.update({k.lower(): v for k, v in ids.items()})
        write_updates(session, Tool, tool_updates, ticker)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        term_diffs: list[tuple[int, str, dict[str, Any]]] = []
        for r in self.records:
            tool_id = tool_ids[r.tool.lower()]
            old = self.terms.get((tool_id, r.plan, r.term_start))
            if old is None:
                inserts.append({**DEFAULTS, "tool_id": tool_id, "plan": r.plan,
                                "term_start": r.term_start, "status": "active", **stamp,
                                **r.values})
                continue
            changed = r.changes(old)
            if changed:
                updates.append({"id": old.id, "updated_at": now,
                                **{k: v for k, (_, v) in changed.items()}})
                term_diffs.append((old.id, f"term {r.tool} {r.plan}".strip(), changed))
        write_inserts(session, SubscriptionTerm, inserts, ticker)
        write_updates(session, SubscriptionTerm, updates, ticker)
        events = audit_rows(ctx, "tool", diffs) + audit_rows(ctx, "subscription_term",
                                                             term_diffs)
        if events:
            session.execute(insert(AuditEvent), events)


def _insert_ids(session: Session, model: Any, key: str, rows: list[dict[str, Any]]
                ) -> dict[str, int]:
    if not rows:
        return {}
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    ids = list(session.scalars(stmt, rows))
    return {row[key]: new_id for row, new_id in zip(rows, ids, strict=True)}


def _tool_columns(values: dict[str, Any], vendors: dict[str, int],
                  people: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "vendor" in values:
        out["vendor_id"] = vendors[values["vendor"].lower()]
    if "category" in values:
        out["category"] = values["category"]
    if "owner_email" in values:
        out["owner_id"] = people[values["owner_email"]]
    return out


def _term_changes(old: Any, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (getattr(old, k), v) for k, v in values.items() if getattr(old, k) != v}


OpenTerm = tuple[str, str, date | None, int | None]  # (where, plan, term start, seats)


def _open_terms(session: Session, tools: dict[str, Any]) -> dict[str, list[OpenTerm]]:
    """The active terms of the tools already in the inventory, by lower-case tool name."""
    names = {t.id: key for key, t in tools.items()}
    out: dict[str, list[OpenTerm]] = {}
    for tool_id, plan_, start, seats in session.execute(
            select(SubscriptionTerm.tool_id, SubscriptionTerm.plan,
                   SubscriptionTerm.term_start, SubscriptionTerm.seats)
            .where(SubscriptionTerm.status == TermStatus.ACTIVE.value)
            .order_by(SubscriptionTerm.id)):
        if tool_id in names:
            out.setdefault(names[tool_id], []).append(("in the inventory", plan_, start, seats))
    return out


def _second_open_term(r: _Record, open_terms: dict[str, list[OpenTerm]],
                      column: str) -> Problem | None:
    """A row that adds a term to a tool with an open term already (in the inventory or
    added by an earlier row): both would count, the spend and the seats twice over."""
    found = open_terms.get(r.tool.lower())
    if not found:
        return None
    where, plan_, start, seats = found[0]
    what = ", ".join(x for x in (
        f"plan '{plan_}'" if plan_ else "no plan",
        f"from {start.isoformat()}" if start else "",
        f"{seats} seats" if seats is not None else "") if x)
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    return Problem(r.row, column,
                   f"adds a second open term to {r.tool} ({where}: {what}{more}); both count "
                   "in the spend and the seats. If this row renews that term, give the same "
                   "plan and term start to update it, or use Renew term in the app")


def plan(session: Session, ctx: ServiceContext, cells: Cells, options: ImportOptions,
         problems: list[Problem]) -> SubscriptionsPlan:
    records = _parse_rows(cells, options, problems)
    seen: dict[tuple[str, str, date | None], int] = {}
    tool_rows: dict[str, tuple[int, dict[str, Any]]] = {}
    for r in records:
        key = (r.tool.lower(), r.plan, r.term_start)
        if key in seen:
            problems.append(Problem(r.row, cells.column("tool"),
                                    f"the same term (tool, plan, term start) as row {seen[key]}",
                                    r.tool))
            continue
        seen[key] = r.row
        first = tool_rows.setdefault(r.tool.lower(), (r.row, r.tool_values))
        for name, value in r.tool_values.items():
            if first[1].get(name, value) != value:
                problems.append(Problem(r.row, cells.column(name),
                                        f"disagrees with row {first[0]} for the same tool",
                                        str(value)))
            first[1].setdefault(name, value)
    tools = {t.name.lower(): t for t in session.execute(
        select(Tool.id, Tool.name, Tool.vendor_id, Tool.category, Tool.owner_id))}
    vendors = {name.lower(): vid for vid, name in session.execute(
        select(Vendor.id, Vendor.name))}
    people = dict(session.execute(select(Person.email, Person.id)).all())
    terms = {(t.tool_id, t.plan, t.term_start): t for t in session.execute(
        select(SubscriptionTerm.id, SubscriptionTerm.tool_id, SubscriptionTerm.plan,
               SubscriptionTerm.term_start, SubscriptionTerm.internal_lead_days,
               *(getattr(SubscriptionTerm, f) for f in TERM_FIELDS)))}
    for r in records:
        if r.cancel_by is not None:
            tool = tools.get(r.tool.lower())
            old = terms.get((tool.id, r.plan, r.term_start)) if tool is not None else None
            _read_finance_dates(r, old, cells, problems)
        elif not MIN_DATE <= (r.values.get("renewal_date") or MIN_DATE) <= MAX_DATE:
            problems.append(Problem(r.row, cells.column("renewal_date"), f"must be between "
                                    f"{MIN_DATE.year} and {MAX_DATE.year}",
                                    r.values["renewal_date"].isoformat()))
    result = SubscriptionsPlan(records, tools, vendors, people, terms)
    if problems:
        return result
    names_by_vendor = {v: k for k, v in vendors.items()}
    emails = {v: k for k, v in people.items()}
    open_terms = _open_terms(session, tools)
    new_things: set[str] = set()
    for r in records:
        # What the terms bring with them: a dry run lists these too.
        owner = r.tool_values.get("owner_email")
        if owner is not None and owner not in people and f"p:{owner}" not in new_things:
            new_things.add(f"p:{owner}")
            result.changes.append(Change(r.row, "add", f"person {owner} (owner of {r.tool})",
                                         main=False))
        if r.tool.lower() not in tools and f"t:{r.tool.lower()}" not in new_things:
            new_things.add(f"t:{r.tool.lower()}")
            result.changes.append(Change(r.row, "add", f"tool {r.tool}", main=False))
        label = f"{r.tool} {r.plan}".strip() + (f" from {r.term_start}" if r.term_start else "")
        tool = tools.get(r.tool.lower())
        old = terms.get((tool.id, r.plan, r.term_start)) if tool is not None else None
        if old is None or tool is None:
            result.changes.append(Change(r.row, "add", f"term {label}"))
            warning = _second_open_term(r, open_terms, cells.column("tool"))
            if warning is not None:
                result.warnings.append(warning)
            open_terms.setdefault(r.tool.lower(), []).append(
                (f"row {r.row}", r.plan, r.term_start, r.values.get("seats")))
            continue
        changed = list(r.changes(old))
        if "vendor" in r.tool_values and names_by_vendor.get(tool.vendor_id) != \
                r.tool_values["vendor"].lower():
            changed.append("vendor")
        if "category" in r.tool_values and tool.category != r.tool_values["category"]:
            changed.append("category")
        if "owner_email" in r.tool_values and emails.get(tool.owner_id) != \
                r.tool_values["owner_email"]:
            changed.append("owner")
        if changed:
            result.changes.append(Change(r.row, "update", f"term {label}", tuple(changed)))
        else:
            result.unchanged += 1
    result.size = len(records)
    return result
