"""Settings kept in the database (shared by everyone using it): base currency, thresholds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.limits import (
    MAX_HEADROOM_PCT,
    MAX_INACTIVITY_DAYS,
    check_days,
    check_text,
    printable,
)
from stackadmin.domain.money import normalize_currency
from stackadmin.domain.vocab import DigestFrequency, SmtpSecurity
from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.records import SETTING_DEFAULTS, Settings, parse_leads
from stackadmin.store.models import Setting

if TYPE_CHECKING:  # the keyring (~50 ms to import) only when a secret is read or stored
    from stackadmin.secrets import SecretStore


def _inactivity_days(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValidationError(f"'{text[:40]}' is not a whole number of days") from None
    return check_days(value, "", MAX_INACTIVITY_DAYS, low=1)


def _unverified_days(text: str) -> int:
    """Days after which a connection not verified since counts as unverified."""
    try:
        value = int(text.strip())
    except ValueError:
        raise ValidationError(f"'{text[:40]}' is not a whole number of days") from None
    return check_days(value, "", MAX_INACTIVITY_DAYS, low=1)


def _percent(text: str) -> int:
    try:
        value = int(text.strip().rstrip("%"))
    except ValueError:
        raise ValidationError(f"'{text[:40]}' is not a whole percentage") from None
    if not 0 <= value <= MAX_HEADROOM_PCT:
        raise ValidationError(f"{value}% is outside 0 to {MAX_HEADROOM_PCT}")
    return value


def _leads_text(text: str) -> str:
    return ",".join(str(d) for d in parse_leads(text))


def _emails(text: str) -> str:
    """'a@x.com; B@x.com' -> 'a@x.com,b@x.com' (commas, semicolons or spaces between)."""
    from stackadmin.domain.values import normalize_email

    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    out: list[str] = []
    for part in parts:
        address = normalize_email(part)
        if address not in out:
            out.append(address)
    return ",".join(out)


def _optional_email(text: str) -> str:
    from stackadmin.domain.values import normalize_email

    return normalize_email(text) if text.strip() else ""


def _choice(enum: Any) -> Callable[[str], str]:
    from stackadmin.domain.values import parse_choice

    return lambda text: parse_choice(text, enum, "the value")


def _host(text: str) -> str:
    """A host name or an IPv4 address: one line of printable text, without a port, and
    encodable as the connection encodes it (IDNA: no empty part, none over 63 characters)."""
    value = check_text(text.strip())
    bad = ValidationError(f"'{printable(text)[:80]}' is not a host name (for example "
                          "smtp.example.com)")
    if len(value) > 253 or any(c.isspace() or c in "/:@" for c in value):
        raise bad
    try:
        value.encode("idna")
    except UnicodeError:
        raise bad from None
    return value


def _port(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValidationError(f"'{text}' is not a port number") from None
    if not 1 <= value <= 65535:
        raise ValidationError(f"port {value} is outside 1 to 65535")
    return value


def _plain(text: str) -> str:
    """One line of printable text (a login goes into the SMTP dialogue as it is)."""
    value = text.strip()
    if len(value) > 320:
        raise ValidationError("the value is longer than 320 characters")
    return check_text(value)


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    default: str
    normalize: Callable[[str], Any]
    help: str


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("base_currency", SETTING_DEFAULTS["base_currency"], normalize_currency,
                    "currency that totals and savings are shown in (ISO 4217)"),
        SettingSpec("default_inactivity_days", SETTING_DEFAULTS["default_inactivity_days"],
                    _inactivity_days,
                    "days without activity before a seat counts as unused"),
        SettingSpec("reminder_leads", SETTING_DEFAULTS["reminder_leads"], _leads_text,
                    "days before a cancel-by date when reminders fall due"),
        SettingSpec("headroom_pct", SETTING_DEFAULTS["headroom_pct"], _percent,
                    "spare seats recommended above the active count, in percent"),
        # Running the stack: connections and the digest e-mail.
        SettingSpec("unverified_days", "90", _unverified_days,
                    "days after which a connection not verified since counts as unverified"),
        SettingSpec("digest_recipients", "", _emails,
                    "addresses the digest is sent to, separated by commas"),
        SettingSpec("digest_frequency", DigestFrequency.WEEKLY.value, _choice(DigestFrequency),
                    "how often the digest is sent: daily, weekly or monthly"),
        SettingSpec("smtp_host", "", _host, "the mail server the digest is sent through"),
        SettingSpec("smtp_port", "587", _port, "the mail server's port (587 STARTTLS, 465 TLS)"),
        SettingSpec("smtp_security", SmtpSecurity.STARTTLS.value, _choice(SmtpSecurity),
                    "starttls (upgrade a plain connection) or tls (TLS from the start)"),
        SettingSpec("smtp_user", "", _plain,
                    "the mail server's login (the password: settings set-secret smtp_password)"),
        SettingSpec("smtp_from", "", _optional_email,
                    "the digest's sender address (default: the login, when it is an address)"),
    )
}


def _spec(key: str) -> SettingSpec:
    try:
        return SPECS[key]
    except KeyError:
        raise ValidationError(
            f"unknown setting '{key}' (known: {', '.join(sorted(SPECS))})"
        ) from None


def get_raw(session: Session, key: str) -> str:
    spec = _spec(key)
    row = session.get(Setting, key)
    return spec.default if row is None else row.value


def all_settings(ctx: ServiceContext) -> dict[str, str]:
    with ctx.read() as session:
        stored = {s.key: s.value for s in session.scalars(select(Setting))}
    return {key: stored.get(key, spec.default) for key, spec in SPECS.items()}


def load(session: Session) -> Settings:
    # The table's columns, not the model: a read of settings alone never configures the ORM.
    table = Setting.__table__.c
    return Settings.from_stored({key: value for key, value in session.execute(
        select(table.key, table.value))})


def current(ctx: ServiceContext) -> Settings:
    with ctx.read() as session:
        return load(session)


def set_setting(ctx: ServiceContext, key: str, value: str) -> str:
    """Validates, stores and audits one setting; returns the stored (normalised) value."""
    spec = _spec(key)
    try:
        normalized = str(spec.normalize(value))
    except ValidationError as exc:
        raise ValidationError(f"{key}: {exc}") from None
    with ctx.transaction() as session:
        row = session.get(Setting, key)
        before = spec.default if row is None else row.value
        if row is None:
            session.add(Setting(key=key, value=normalized))
        else:
            row.value = normalized
        if before != normalized:
            audit.record(session, ctx, action="update", entity="setting", entity_id=None,
                         summary=f"setting {key} = {normalized}",
                         changes={key: [before, normalized]})
    return normalized


# Settings whose value is a secret: kept in the OS keyring under the key's name, never in
# the database; the audit trail records only that it was set.
SECRET_SPECS: dict[str, str] = {
    "smtp_password": "the mail server's password (kept in the OS keyring)",
}


def set_secret(ctx: ServiceContext, key: str, value: str, store: SecretStore | None = None
               ) -> None:
    """Stores a secret setting in the OS keyring and audits that it was set (not its value)."""
    if key not in SECRET_SPECS:
        raise ValidationError(
            f"unknown secret '{key}' (known: {', '.join(sorted(SECRET_SPECS))})")
    if not value:
        raise ValidationError(f"{key}: the secret is empty")
    if store is None:
        from stackadmin.secrets import SecretStore

        store = SecretStore()
    store.set(key, value)
    with ctx.transaction() as session:
        audit.record(session, ctx, action="update", entity="setting", entity_id=None,
                     summary=f"secret {key} stored in the OS keyring")


def get_secret(key: str, store: SecretStore | None = None) -> str | None:
    if key not in SECRET_SPECS:
        raise ValidationError(f"unknown secret '{key}'")
    if store is None:
        from stackadmin.secrets import SecretStore

        store = SecretStore()
    return store.get(key)
