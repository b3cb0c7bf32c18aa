"""The plugin contract: everything a vendor plugin sees, and all it may rely on.

A plugin is a class: attributes that describe it without running it (`id`, `name`,
`contract_version`, `options`, `secret`, `reports_activity`...), `check(ctx)` that proves the
credentials with one cheap call, and `fetch(ctx)` that yields frozen records — one
`AccountRecord` per account, `SeatCount`s where the vendor states its seat figures, `Notice`s
for what the user should know about the run. `ctx` (a `PluginContext`) hands in the host's
HTTP client, the options, the secret, a progress callback and a cancel check. A plugin never
touches the database, the keyring, Qt or files, and does no work on import. Failures are the
typed errors below (`AuthRejected`, `MissingPermission`, `NotFound`, `Throttled`,
`BadResponse`, `Cancelled`...), each a sentence a user can act on.

The contract is versioned: `CONTRACT_VERSION` is what this stackadmin speaks; a plugin
declares the version it was written for, and one we do not speak is listed as broken.
docs/plugins.md walks through writing one.
"""

from __future__ import annotations

import abc
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from types import MappingProxyType, SimpleNamespace
from typing import Any, ClassVar, Final

from stackadmin.domain.limits import printable
from stackadmin.domain.vocab import SEAT_HOLDING, AccountKind, AccountStatus, Role
from stackadmin.errors import ValidationError
from stackadmin.plugins import checks
from stackadmin.plugins.auth import (
    Auth,
    BasicAuth,
    BearerToken,
    HeaderToken,
    OAuthClientCredentials,
    RenewingToken,
    parse_token_answer,
)
from stackadmin.plugins.errors import (
    AuthRejected,
    BadResponse,
    Cancelled,
    ConfigError,
    ConnectionFailed,
    ContractViolation,
    MissingPermission,
    NotFound,
    PluginCrashed,
    PluginError,
    RepeatedPage,
    RequestRefused,
    Throttled,
    TimedOut,
    VendorUnavailable,
)
from stackadmin.plugins.http import (
    HttpStats,
    Progress,
    RetryPolicy,
    VendorHttp,
    is_loopback,
    require_safe_url,
)
from stackadmin.plugins.paging import (
    Cursor,
    JsonResponse,
    LinkHeader,
    NextUrl,
    Page,
    PageNumber,
    PageRequest,
    Paging,
    ScimIndex,
)
from stackadmin.plugins.values import (
    dig,
    email_or_none,
    guess_role,
    is_email,
    is_never,
    join_url,
    parse_date,
    parse_timestamp,
    segment,
)

CONTRACT_VERSION: Final = 1
SUPPORTED_CONTRACT_VERSIONS: Final = frozenset({1})
# Option names the host keeps for an integration's own settings (`--set directory=true`):
# a plugin may not declare them, and they are not passed to it.
HOST_OPTION_NAMES: Final = frozenset({"directory", "interval", "brake"})

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_OPTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


# -- describing a plugin ---------------------------------------------------------------------

class OptionKind(StrEnum):
    TEXT = "text"
    URL = "url"  # http(s); plain http only to a loopback address
    BOOL = "bool"  # true/false, yes/no, 1/0, on/off
    INT = "int"  # a whole number >= 0
    LIST = "list"  # comma-separated words (Microsoft SKU part numbers)


@dataclass(frozen=True, slots=True)
class Option:
    """A non-secret setting of an integration, given as text (`--set name=value`)."""

    name: str
    label: str
    required: bool = False
    default: str | None = None
    help: str = ""
    kind: OptionKind = OptionKind.TEXT
    # Set, the fetch lists part of the users (one licence's holders, one app's assignees):
    # such an integration is never the company directory, whose missing users are leavers.
    partial: bool = False

    def parse(self, text: str) -> str:
        """The value normalised (trimmed; URLs without a trailing slash; booleans as
        `true`/`false`), or ValueError saying what was expected."""
        value = text.strip()
        if self.kind is OptionKind.URL:
            try:
                require_safe_url(value)
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
            return value.rstrip("/")
        if self.kind is OptionKind.BOOL:
            if value.lower() in _TRUE:
                return "true"
            if value.lower() in _FALSE:
                return "false"
            raise ValueError(f"'{text}' is not true or false")
        if self.kind is OptionKind.INT:
            if not value.isdigit():
                raise ValueError(f"'{text}' is not a whole number")
            return str(int(value))
        if self.kind is OptionKind.LIST:
            return ",".join(part.strip() for part in value.split(",") if part.strip())
        return value


@dataclass(frozen=True, slots=True)
class Secret:
    """The one secret a plugin needs, as the user is asked for it: `label` names it with
    its scopes ("personal access token, scope manage_billing:copilot"). `multiline` for a
    key file pasted whole (a Google service-account JSON key)."""

    label: str
    help: str = ""
    multiline: bool = False


class SecretValue:
    """The secret itself. It prints as a mask; `reveal()` is the only way to the text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretValue('***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a secret is not pickled")


def split_host_options(given: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """`--set` values split into the host's own (`HOST_OPTION_NAMES`: directory, interval,
    brake) and the plugin's, to be checked with `resolve_options`."""
    host = {k: v for k, v in given.items() if k in HOST_OPTION_NAMES}
    return host, {k: v for k, v in given.items() if k not in HOST_OPTION_NAMES}


def resolve_options(options: tuple[Option, ...], given: Mapping[str, str]) -> dict[str, str]:
    """`given` checked against the declared options: unknown names, missing required ones
    and malformed values are a ValidationError listing every problem; the result holds each
    given value normalised, plus the defaults of the options not given."""
    declared = {o.name: o for o in options}
    problems: list[str] = []
    resolved: dict[str, str] = {}
    for name, text in given.items():
        option = declared.get(name)
        if option is None:
            known = ", ".join(sorted(declared)) or "none"
            problems.append(f"option '{name}' is not one this plugin takes (it takes: {known})")
            continue
        if not text.strip():
            continue  # given empty: as if not given (the default, or "required")
        try:
            resolved[name] = option.parse(text)
        except ValueError as exc:
            problems.append(f"option '{name}': {exc}")
    for option in options:
        if option.name in resolved:
            continue
        if option.default is not None:
            resolved[option.name] = option.parse(option.default)
        elif option.required:
            problems.append(f"option '{option.name}' ({option.label}) is required")
    if problems:
        raise ValidationError(problems)
    return resolved


# -- what a plugin yields --------------------------------------------------------------------

class Activity(StrEnum):
    """What the vendor says about an account's use. `last_activity` is set for REPORTED
    only. The host never lets NEVER or NO_DATE erase a newer date it already knows."""

    REPORTED = "reported"  # a date of last use
    NEVER = "never"  # the vendor says: never used (Okta lastLogin null, Google 1970 sentinel)
    # The vendor gives no date, which means never used or forgotten: Copilot clears
    # last_activity_at after 90 days idle. A date known from before stays.
    NO_DATE = "no_date"
    UNKNOWN = "unknown"  # this source does not report use (SCIM, member lists, a plan without logs)


@dataclass(frozen=True, slots=True, init=False)
class AccountRecord:
    """One account as the vendor sees it. Checked when made: enums from their words, times
    aware (converted to UTC), dates as dates, the email lower-cased (use `email_or_none`
    for vendor values that may not be addresses); a broken rule is a ContractViolation.

    Each account is yielded once per fetch (a vendor that lists a person twice is merged by
    the plugin). `external_id` is the vendor's immutable id: emails change, it does not.
    Made with keyword arguments; every field but `external_id` has a default."""

    external_id: str
    email: str | None
    display_name: str | None
    username: str | None  # a login or userName, when the vendor has one
    vendor_role: str | None  # the vendor's own word ("admin", "direct_member")
    role: Role  # default member
    status: AccountStatus  # default active; deprovisioned = holds no seat
    kind: AccountKind  # default user
    billable: bool | None  # does the vendor bill this seat? None: it does not say
    license_tier: str | None  # plan of this seat ("business", "enterprise")
    licenses: tuple[str, ...]  # licence SKUs / labels held (Microsoft skuPartNumber)
    first_seen: datetime | None  # when the vendor created or assigned it
    invited_at: datetime | None  # for a pending invitation
    activity: Activity  # default unknown
    last_activity: datetime | None  # only with Activity.REPORTED
    last_activity_via: str | None  # where it happened (Copilot's editor)
    pending_cancellation: date | None  # billed until, then cancelled by the vendor
    department: str | None  # directory fields, where the source has them
    title: str | None
    cost_center: str | None
    manager: str | None  # the manager's email or vendor id
    end_date: date | None  # the day the person left (suspension, deletion)
    raw: Mapping[str, Any] = field(repr=False, compare=False)  # the vendor's JSON object

    # Hand-written rather than generated: a fetch makes tens of thousands of records, and a
    # frozen dataclass's own __init__ plus a __post_init__ cost ~4x this. Each value is
    # checked in line (the clean common case is one or two type tests) and the checks
    # proper, with their error texts, run only for a value that is not already clean. The
    # fields are then set through their slots' own setters (`_SETTERS`), which skip the
    # frozen class's refusing __setattr__ at a third of object.__setattr__'s cost.
    def __init__(self, *, external_id: str, email: str | None = None,
                 display_name: str | None = None, username: str | None = None,
                 vendor_role: str | None = None, role: Role | str = Role.MEMBER,
                 status: AccountStatus | str = AccountStatus.ACTIVE,
                 kind: AccountKind | str = AccountKind.USER, billable: bool | None = None,
                 license_tier: str | None = None, licenses: tuple[str, ...] = (),
                 first_seen: datetime | None = None, invited_at: datetime | None = None,
                 activity: Activity | str = Activity.UNKNOWN,
                 last_activity: datetime | None = None, last_activity_via: str | None = None,
                 pending_cancellation: date | None = None, department: str | None = None,
                 title: str | None = None, cost_center: str | None = None,
                 manager: str | None = None, end_date: date | None = None,
                 raw: Mapping[str, Any] | None = None) -> None:
        if type(external_id) is not str or not external_id or external_id[0].isspace() \
                or external_id[-1].isspace() or not external_id.isprintable():
            external_id = _external_id(external_id)
        if email is not None and (type(email) is not str or not _is_clean_email(email)):
            email = _email(email, external_id)
        if display_name is not None and not _is_clean_text(display_name):
            display_name = _text(display_name, external_id, "display_name")
        if username is not None and not _is_clean_text(username):
            username = _text(username, external_id, "username")
        if vendor_role is not None and not _is_clean_text(vendor_role):
            vendor_role = _text(vendor_role, external_id, "vendor_role")
        if license_tier is not None and not _is_clean_text(license_tier):
            license_tier = _text(license_tier, external_id, "license_tier")
        if last_activity_via is not None and not _is_clean_text(last_activity_via):
            last_activity_via = _text(last_activity_via, external_id, "last_activity_via")
        if department is not None and not _is_clean_text(department):
            department = _text(department, external_id, "department")
        if title is not None and not _is_clean_text(title):
            title = _text(title, external_id, "title")
        if cost_center is not None and not _is_clean_text(cost_center):
            cost_center = _text(cost_center, external_id, "cost_center")
        if manager is not None and not _is_clean_text(manager):
            manager = _text(manager, external_id, "manager")
        where = checks.Where(external_id)
        if type(role) is not Role:
            role = checks.enum_value(Role, role, where, "role")
        if type(status) is not AccountStatus:
            status = checks.enum_value(AccountStatus, status, where, "status")
        if type(kind) is not AccountKind:
            kind = checks.enum_value(AccountKind, kind, where, "kind")
        if billable is not None and type(billable) is not bool:
            raise ContractViolation(f"{where('billable')} must be True, False or None")
        if type(licenses) is not tuple or (licenses and not all(
                type(x) is str for x in licenses)):
            raise ContractViolation(f"{where('licenses')} must be a tuple of text")
        if first_seen is not None and (type(first_seen) is not datetime
                                       or first_seen.tzinfo is not UTC):
            first_seen = checks.moment(first_seen, where, "first_seen")
        if invited_at is not None and (type(invited_at) is not datetime
                                       or invited_at.tzinfo is not UTC):
            invited_at = checks.moment(invited_at, where, "invited_at")
        if type(activity) is not Activity:
            activity = checks.enum_value(Activity, activity, where, "activity")
        if last_activity is not None and (type(last_activity) is not datetime
                                          or last_activity.tzinfo is not UTC):
            last_activity = checks.moment(last_activity, where, "last_activity")
        if (last_activity is None) == (activity is Activity.REPORTED):
            raise ContractViolation(
                f"{where('last_activity')} is given with Activity.REPORTED and only with it "
                f"(got activity {Activity(activity).value}, last_activity {last_activity})")
        if pending_cancellation is not None and type(pending_cancellation) is not date:
            pending_cancellation = checks.day(pending_cancellation, where("pending_cancellation"))
        if end_date is not None and type(end_date) is not date:
            end_date = checks.day(end_date, where("end_date"))
        if raw is None:
            raw = {}
        elif type(raw) is not dict:
            raw = checks.raw_json(raw)
        s = _SETTERS
        s.external_id(self, external_id)
        s.email(self, email)
        s.display_name(self, display_name)
        s.username(self, username)
        s.vendor_role(self, vendor_role)
        s.role(self, role)
        s.status(self, status)
        s.kind(self, kind)
        s.billable(self, billable)
        s.license_tier(self, license_tier)
        s.licenses(self, licenses)
        s.first_seen(self, first_seen)
        s.invited_at(self, invited_at)
        s.activity(self, activity)
        s.last_activity(self, last_activity)
        s.last_activity_via(self, last_activity_via)
        s.pending_cancellation(self, pending_cancellation)
        s.department(self, department)
        s.title(self, title)
        s.cost_center(self, cost_center)
        s.manager(self, manager)
        s.end_date(self, end_date)
        s.raw(self, raw)

    def without_raw(self) -> AccountRecord:
        """The same account without the vendor's JSON (the host keeps none of it). A copy,
        not checked again: every value already was."""
        copy = object.__new__(AccountRecord)
        put = object.__setattr__
        for name in _ACCOUNT_SLOTS:
            put(copy, name, getattr(self, name))
        put(copy, "raw", {})
        return copy

    @property
    def activity_known(self) -> bool:
        """False when this source says nothing about use (the unused rules skip it)."""
        return self.activity is not Activity.UNKNOWN

    @property
    def is_bot(self) -> bool:
        """Bots and service accounts are not people and stay out of seat-waste figures."""
        return self.kind in (AccountKind.BOT, AccountKind.SERVICE)

    @property
    def holds_seat(self) -> bool:
        """Occupies a paid seat: a seat-holding status and not marked unbilled."""
        return self.status in SEAT_HOLDING and self.billable is not False


_ACCOUNT_SLOTS = tuple(name for name in AccountRecord.__slots__ if name != "raw")
# Each field's slot setter (the member descriptor's __set__): AccountRecord.__init__ sets
# through these, as a frozen dataclass's own __setattr__ refuses.
_SETTERS = SimpleNamespace(**{name: getattr(AccountRecord, name).__set__
                              for name in AccountRecord.__slots__})


def _is_clean_text(value: Any) -> bool:
    return type(value) is str and value != "" and not value[0].isspace() \
        and not value[-1].isspace() and value.isprintable()


def _is_clean_email(value: str) -> bool:
    return value == value.strip().lower() and is_email(value)


def _external_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContractViolation(f"an account needs the vendor's id (got {value!r})")
    if printable(value) != value or "\n" in value or "\r" in value or "\t" in value:
        raise ContractViolation(f"an account's vendor id holds a control character "
                                f"({value[:40]!r})")
    return value.strip()


def _text(value: Any, external_id: str, name: str) -> str | None:
    return checks.text(value, f"account {external_id}: {name}")


def _email(value: Any, external_id: str) -> str | None:
    where = f"account {external_id}: email"
    email = checks.text(value, where)
    email = email.lower() if email else None
    if email is not None and not is_email(email):
        raise ContractViolation(f"{where} '{email}' is not an email address")
    return email


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatCount:
    """The vendor's own seat figures, one per SKU or plan (`label`; None: the whole tool).
    `purchased`: seats bought or billed; `consumed`: assigned to someone; the rest as the
    vendor states them. The host compares them with the contract, never writes over it."""

    label: str | None = None
    purchased: int | None = None
    consumed: int | None = None
    pending_cancellation: int | None = None
    pending_invitation: int | None = None
    active: int | None = None  # used in the vendor's current cycle, when it says
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "label", checks.text(self.label, "seat count label"))
        where = f"seat count {self.label or '(whole tool)'}"
        for name in ("purchased", "consumed", "pending_cancellation", "pending_invitation",
                     "active"):
            put(self, name, checks.count(getattr(self, name), f"{where}: {name}"))
        put(self, "raw", checks.raw_json(self.raw))


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about this run that is not a failure: "sign-in
    activity needs Entra ID P1 or P2: accounts synced with activity unknown". `code` is a
    stable word for it."""

    code: str
    text: str

    def __post_init__(self) -> None:
        if not (isinstance(self.code, str) and self.code and isinstance(self.text, str)
                and self.text.strip()):
            raise ContractViolation("a notice needs a code and a text")


Record = AccountRecord | SeatCount | Notice


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What `check` proved, in a sentence ("token accepted; organisation acme, 12 Copilot
    seats")."""

    summary: str


# -- what a plugin is handed -----------------------------------------------------------------

class PluginContext:
    """What the host hands a plugin for one run. Made by the host (`stackadmin.plugins.host`),
    never by a plugin."""

    def __init__(self, *, plugin_id: str, http: VendorHttp, options: Mapping[str, str],
                 secret: SecretValue | None, progress: Callable[[Progress], None],
                 cancelled: Callable[[], bool], log: logging.LoggerAdapter,  # type: ignore[type-arg]
                 now: Callable[[], datetime]) -> None:
        self.plugin_id = plugin_id
        self.http = http
        self.options: Mapping[str, str] = MappingProxyType(dict(options))
        self.secret = secret
        self._progress = progress
        self._cancelled = cancelled
        self.log = log
        self._now = now

    def option(self, name: str) -> str:
        """The option's value (given or default); ConfigError when it has none."""
        value = self.options.get(name)
        if value is None or value == "":
            raise ConfigError(f"the option '{name}' is not set")
        return value

    def option_or_none(self, name: str) -> str | None:
        return self.options.get(name) or None

    def flag(self, name: str) -> bool:
        return self.options.get(name) == "true"

    def values(self, name: str) -> tuple[str, ...]:
        """A LIST option's words."""
        text = self.options.get(name) or ""
        return tuple(part for part in text.split(",") if part)

    def reveal_secret(self) -> str:
        """The secret's text, or ConfigError when none was stored."""
        if self.secret is None or not self.secret.reveal():
            raise ConfigError("no secret is stored for this integration")
        return self.secret.reveal()

    def progress(self, text: str, *, items: int | None = None, total: int | None = None) -> None:
        """Tells the user where the run is (pages are reported by `paginate` already)."""
        self._progress(Progress(text, self.http.stats.pages, items, total))

    def cancelled(self) -> bool:
        return self._cancelled()

    def check_cancelled(self) -> None:
        """Raises Cancelled when the user asked to stop (checked by `paginate` between pages
        and retries; call it in loops of your own)."""
        if self._cancelled():
            raise Cancelled("cancelled")

    def now(self) -> datetime:
        """The current time, aware UTC (the host's clock: tests pin it)."""
        return self._now()


class Plugin(abc.ABC):
    """Subclass it, set the class attributes, implement `check` and `fetch`. The host makes
    one instance per run, without arguments; whatever a run needs comes in `ctx`."""

    id: ClassVar[str]  # the plugin id users type: lower case, digits, hyphens
    name: ClassVar[str]  # display name ("GitHub Copilot")
    contract_version: ClassVar[int] = CONTRACT_VERSION
    description: ClassVar[str] = ""
    options: ClassVar[tuple[Option, ...]] = ()
    secret: ClassVar[Secret | None] = None
    reports_activity: ClassVar[bool] = False  # does the source ever say when an account was used
    reports_seat_counts: ClassVar[bool] = False  # does fetch yield SeatCount records
    directory_capable: ClassVar[bool] = False  # may feed the people list (`directory=true`)

    @abc.abstractmethod
    def check(self, ctx: PluginContext) -> CheckResult:
        """Proves the credentials and options with one cheap call."""

    @abc.abstractmethod
    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        """Yields every account (once each), the vendor's seat counts, and notices."""


def partial_options(options: tuple[Option, ...], values: Mapping[str, str]) -> list[str]:
    """The options set in `values` that make the listing partial (Option.partial)."""
    return [o.name for o in options if o.partial and (values.get(o.name) or "").strip()]


def describe_problems(cls: type[Any]) -> list[str]:
    """What is wrong with a plugin class's metadata (empty when nothing): the registry
    lists a plugin with any of these as broken, with the reason."""
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        return [f"{cls!r} is not a subclass of stackadmin.plugins.api.Plugin"]
    problems: list[str] = []
    version = getattr(cls, "contract_version", None)
    if not isinstance(version, int) or isinstance(version, bool):
        problems.append(f"contract_version {version!r} is not a number")
    elif version not in SUPPORTED_CONTRACT_VERSIONS:
        speaks = ", ".join(str(v) for v in sorted(SUPPORTED_CONTRACT_VERSIONS))
        problems.append(f"it is written for plugin contract {version}; this stackadmin "
                        f"speaks {speaks}")
    plugin_id = getattr(cls, "id", None)
    if not isinstance(plugin_id, str) or not _ID.match(plugin_id):
        problems.append(f"id {plugin_id!r} is not lower-case letters, digits and hyphens")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name.strip():
        problems.append("name (the display name) is missing")
    options = getattr(cls, "options", None)
    if not isinstance(options, tuple) or not all(isinstance(o, Option) for o in options):
        problems.append("options must be a tuple of Option")
    else:
        names = [o.name for o in options]
        for option in options:
            if not _OPTION_NAME.match(option.name):
                problems.append(f"option name {option.name!r} is not lower_snake_case")
            if option.name in HOST_OPTION_NAMES:
                problems.append(f"option '{option.name}' is reserved for the host")
            if names.count(option.name) > 1:
                problems.append(f"option '{option.name}' is declared twice")
            if option.default is not None:
                try:
                    option.parse(option.default)
                except ValueError as exc:
                    problems.append(f"option '{option.name}' default: {exc}")
    secret = getattr(cls, "secret", None)
    if secret is not None and not (isinstance(secret, Secret) and secret.label.strip()):
        problems.append("secret must be a Secret with a label, or None")
    for flag in ("reports_activity", "reports_seat_counts", "directory_capable"):
        if not isinstance(getattr(cls, flag, None), bool):
            problems.append(f"{flag} must be True or False")
    missing = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing:
        problems.append(f"it does not implement {', '.join(missing)}")
    return problems


__all__ = [
    "CONTRACT_VERSION", "HOST_OPTION_NAMES", "SUPPORTED_CONTRACT_VERSIONS", "AccountKind",
    "AccountRecord", "AccountStatus", "Activity", "Auth", "AuthRejected", "BadResponse",
    "BasicAuth", "BearerToken", "Cancelled", "CheckResult", "ConfigError", "ConnectionFailed",
    "ContractViolation", "Cursor", "HeaderToken", "HttpStats", "JsonResponse", "LinkHeader",
    "MissingPermission", "NextUrl", "NotFound", "Notice", "OAuthClientCredentials", "Option",
    "OptionKind", "Page", "PageNumber", "PageRequest", "Paging", "Plugin", "PluginContext",
    "PluginCrashed", "PluginError",
    "Progress", "Record", "RenewingToken", "RepeatedPage", "RequestRefused", "RetryPolicy",
    "Role", "ScimIndex", "SeatCount", "Secret", "SecretValue", "Throttled", "TimedOut",
    "VendorHttp", "VendorUnavailable", "describe_problems", "dig", "email_or_none",
    "guess_role", "is_loopback", "is_never", "join_url", "parse_date", "parse_timestamp",
    "parse_token_answer", "resolve_options", "segment", "split_host_options",
]
