"""What each import understands: its fields, their header variants, and how headers map."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from stackadmin.domain.spreadsheet import header_key
from stackadmin.errors import UserError


class ImportKind(StrEnum):
    SUBSCRIPTIONS = "subscriptions"
    PEOPLE = "people"
    ACCOUNTS = "accounts"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    required: bool
    aliases: tuple[str, ...]  # header variants, compared with header_key()
    help: str
    in_template: bool = True


def _f(name: str, help_: str, *aliases: str, required: bool = False,
       template: bool = True) -> FieldSpec:
    return FieldSpec(name, required, tuple(header_key(a) for a in aliases), help_, template)


FIELDS: dict[ImportKind, tuple[FieldSpec, ...]] = {
    ImportKind.SUBSCRIPTIONS: (
        _f("tool", "the tool's name (a new name adds the tool)", "tool name", "name", "app",
           "application", "software", "service", "product", required=True),
        _f("vendor", "who sells it", "supplier", "provider", "vendor name"),
        _f("category", "e.g. Design, Engineering", "type", "group"),
        _f("owner_email", "the tool owner's email (added to people when new)", "owner",
           "owner email address", "business owner", "tool owner"),
        _f("plan", "the plan or edition (part of the key)", "tier", "edition", "plan name"),
        _f("pricing", "per_seat or flat (default per_seat)", "pricing model", "price model",
           "billing type", "license type"),
        _f("unit_price", "price per seat per billing period, or the flat price per period",
           "price", "cost", "unit cost", "price per seat", "cost per seat", "seat price",
           "list price", "amount", "price per period", required=True),
        _f("seats", "seats purchased", "seats purchased", "licenses", "licences", "quantity",
           "qty", "seat count", "number of seats", "purchased seats"),
        _f("currency", "ISO 4217 code, e.g. USD, EUR, JPY", "ccy", "currency code",
           required=True),
        _f("billing_period", "monthly, quarterly, annual/yearly, every N months (default "
           "annual)", "billing", "billing cycle", "billing frequency", "frequency", "period"),
        _f("term_start", "first day of the term (part of the key)", "start", "start date",
           "contract start", "term start date", "contract start date"),
        _f("renewal_date", "the day the term renews or ends", "renewal", "renews", "renews on",
           "contract end", "term end", "end", "end date", "expiry", "expiration date",
           "contract end date", "next renewal"),
        _f("auto_renew", "yes/no (default yes)", "auto renewal", "autorenew", "auto renews",
           "renews automatically", "automatic renewal"),
        _f("notice_days", "days of notice the contract requires (default 0)", "notice",
           "notice period", "notice period days", "notice days"),
        _f("cost_center", "the cost centre to charge", "cost centre", "cc"),
        _f("notes", "free text", "note", "comments", "comment"),
        _f("po_reference", "purchase order", "po", "po number", "purchase order",
           template=False),
        # Read only to derive notice_days from a finance export that has no notice column.
        _f("cancel_by", "the cancel-by date (finance export)", "cancel by date",
           template=False),
    ),
    ImportKind.PEOPLE: (
        _f("email", "work email (the key)", "e mail", "email address", "mail", "work email",
           required=True),
        _f("name", "full name", "full name", "display name", "employee", "employee name"),
        _f("department", "department or team", "dept", "team"),
        _f("status", "active or departed (default active)", "employment status", "state"),
        _f("end_date", "last day (departed people)", "last day", "termination date",
           "leave date", "departure date", "leaving date"),
        _f("cost_center", "cost centre", "cost centre", "cc", template=False),
        _f("title", "job title", "job title", "position", template=False),
    ),
    ImportKind.ACCOUNTS: (
        _f("email", "the account's email (matched to people)", "e mail", "email address",
           "mail", "user email", "login"),
        _f("name", "display name", "display name", "full name", "user", "user name",
           "person", "member"),
        _f("role", "owner, admin, member, guest, billing (default member)", "user role",
           "permission", "access level", "account role", "account type"),
        _f("status", "active, invited, suspended, deprovisioned (default active)", "state",
           "account status", "user status"),
        _f("last_active", "last activity: a date or date and time (UTC); empty = never; "
           "'unknown' = not reported. Without this column the source reports no activity",
           "last activity", "last login", "last seen", "last active date", "last sign in",
           "last used", "last activity date"),
        _f("external_id", "the vendor's user id (the key when present)", "id", "user id",
           "member id", "uid", "account id"),
        _f("tool", "the tool (only when --tool is not given)", "tool name", "app",
           template=False),
    ),
}

# Columns of stackadmin's own exports that an import reads past without complaint, so an
# export can be imported back as is.
DERIVED_COLUMNS: dict[ImportKind, frozenset[str]] = {
    ImportKind.SUBSCRIPTIONS: frozenset({
        "period_cost", "annual_cost", "base_currency", "fx_rate", "annual_cost_base",
        "seats_held", "seats_active", "seats_unused", "unused_annual_cost_base"}),
    ImportKind.PEOPLE: frozenset({"accounts", "account_count"}),
    ImportKind.ACCOUNTS: frozenset({"unused_reason", "annual_cost", "annual_cost_base",
                                    "days_inactive"}),
}

TEMPLATE_HEADERS: dict[ImportKind, tuple[str, ...]] = {
    kind: tuple(f.name for f in specs if f.in_template) for kind, specs in FIELDS.items()
}

# File header -> field name; IGNORE for a column deliberately skipped (`--map COLUMN=` or a
# derived column of our own exports); None for a column nobody mapped (reported).
Mapping_ = dict[str, str | None]
IGNORE = ""


def kind_of(value: ImportKind | str) -> ImportKind:
    try:
        return ImportKind(value)
    except ValueError:
        raise UserError(f"unknown import '{value}' (subscriptions, people or accounts)") from None


def field_names(kind: ImportKind) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS[kind])


def detect_mapping(kind: ImportKind, headers: Sequence[str]) -> Mapping_:
    """Each header to the field it names (exact name first, then a known variant); IGNORE for
    a derived column of our exports; None for a header that names no field, or a field
    already taken by another column (both reported until mapped)."""
    by_name = {f.name: f.name for f in FIELDS[kind]}
    by_alias = {alias: f.name for f in FIELDS[kind] for alias in f.aliases}
    taken: set[str] = set()
    out: Mapping_ = {}
    # Exact names win over variants: "name" is a field of accounts and a variant of tool.
    keys = [header_key(h) for h in headers]
    for header, key in zip(headers, keys, strict=True):
        field = by_name.get(key)
        if field and field not in taken:
            out[header] = field
            taken.add(field)
    for header, key in zip(headers, keys, strict=True):
        if header in out:
            continue
        field = by_alias.get(key)
        if field and field not in taken:
            out[header] = field
            taken.add(field)
        else:
            out[header] = IGNORE if key in DERIVED_COLUMNS[kind] else None
    return out


def apply_overrides(kind: ImportKind, headers: Sequence[str], mapping: Mapping_,
                    overrides: Mapping[str, str | None]) -> Mapping_:
    """`--map COLUMN=FIELD` (FIELD empty: ignore the column); checked in words."""
    out = dict(mapping)
    names = set(field_names(kind))
    by_key = {header_key(h): h for h in headers}
    for column, field in overrides.items():
        header = column if column in out else by_key.get(header_key(column))
        if header is None:
            listed = ", ".join(_cut(h) for h in headers[:30])
            more = f" and {len(headers) - 30} more" if len(headers) > 30 else ""
            raise UserError(f"--map {_cut(column)}=...: the file has no column "
                            f"'{_cut(column)}' (its columns: {listed}{more})")
        target = (field or "").strip() or IGNORE
        if target and target not in names:
            raise UserError(f"--map {_cut(column)}={_cut(field or '')}: '{_cut(field or '')}' "
                            f"is not a field of {kind.value} ({', '.join(field_names(kind))})")
        if target:
            for other, taken in out.items():
                if taken == target and other != header:
                    out[other] = None  # the explicit mapping takes the field over
        out[header] = target
    return out


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def parse_map_option(item: str) -> tuple[str, str | None]:
    """One `--map COLUMN=FIELD` (FIELD empty: ignore the column); UserError in words."""
    column, sep, field = item.partition("=")
    if not sep or not column.strip():
        raise UserError(f"--map expects COLUMN=FIELD (or COLUMN= to ignore it), got "
                        f"'{_cut(item)}'")
    return column.strip(), field.strip() or None


def parse_map_options(values: Sequence[str]) -> dict[str, str | None]:
    return map_overrides(parse_map_option(item) for item in values)


def map_overrides(pairs: Iterable[tuple[str, str | None]]) -> dict[str, str | None]:
    """The `--map` options as one mapping; a column given twice is refused in words (the
    last one silently winning would import the column as what was not meant)."""
    out: dict[str, str | None] = {}
    for column, field in pairs:
        if column in out:
            said = [f"'{f}'" if f else "ignored" for f in (out[column], field)]
            raise UserError(f"--map gives the column '{_cut(column)}' twice ({said[0]} and "
                            f"{said[1]}): give it once")
        out[column] = field
    return out
