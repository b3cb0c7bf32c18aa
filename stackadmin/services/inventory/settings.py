"""Settings kept in the database (shared by everyone using it): base currency, thresholds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.limits import MAX_HEADROOM_PCT, MAX_INACTIVITY_DAYS, check_days
from stackadmin.domain.money import normalize_currency
from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.records import SETTING_DEFAULTS, Settings, parse_leads
from stackadmin.store.models import Setting


def _inactivity_days(text: str) -> int:
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
    return Settings.from_stored({s.key: s.value for s in session.scalars(select(Setting))})


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
