"""An integration's own settings (the host's `--set` keys, not the plugin's): how often a
scheduled sync runs it (`interval`), the share of the tool's accounts a run may deprovision
before it stops (`brake`), and whether it is the company directory (`directory`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from stackadmin.errors import ValidationError
from stackadmin.store.models.sync import DEFAULT_BRAKE_PCT, DEFAULT_INTERVAL_MINUTES

MIN_INTERVAL_MINUTES = 15
_NAMED = {"hourly": 60, "daily": 24 * 60, "weekly": 7 * 24 * 60}
_MANUAL = {"manual", "off", "never", "none"}
_UNITS = {"m": 1, "min": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
_AMOUNT = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def parse_interval(text: str) -> int | None:
    """`daily`, `hourly`, `weekly`, `6h`, `30m`, `2d`, `1w` → minutes; `manual` (or `off`) →
    None: synced only when asked."""
    value = text.strip().lower()
    if value in _MANUAL:
        return None
    if value in _NAMED:
        return _NAMED[value]
    match = _AMOUNT.match(value)
    if match is None:
        raise ValidationError(f"interval '{text}' is not daily, hourly, weekly, manual or an "
                              "amount such as 6h, 30m, 2d")
    minutes = int(match.group(1)) * _UNITS[match.group(2)]
    if minutes < MIN_INTERVAL_MINUTES:
        raise ValidationError(f"interval '{text}' is shorter than {MIN_INTERVAL_MINUTES} "
                              "minutes (vendors limit how often their APIs may be read)")
    return minutes


def interval_text(minutes: int | None) -> str:
    """The words for an interval: "daily", "every 6 hours", "manual"."""
    if minutes is None:
        return "manual"
    for name, value in _NAMED.items():
        if minutes == value:
            return name
    if minutes % (24 * 60) == 0:
        return f"every {minutes // (24 * 60)} days"
    if minutes % 60 == 0:
        return f"every {minutes // 60} hours"
    return f"every {minutes} minutes"


def parse_brake(text: str) -> int:
    """`20` or `20%` → 20; `off` → 100 (never stops)."""
    value = text.strip().lower().rstrip("%").strip()
    if value in ("off", "none"):
        return 100
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise ValidationError(f"brake '{text}' is not a percentage from 0 to 100 (or off)")
    return int(value)


def parse_flag(text: str, name: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(f"{name} '{text}' is not true or false")


@dataclass(frozen=True, slots=True)
class HostSettings:
    """The host's settings of one integration."""

    interval_minutes: int | None = DEFAULT_INTERVAL_MINUTES
    brake_pct: int = DEFAULT_BRAKE_PCT
    directory: bool = False

    def with_given(self, given: Mapping[str, str]) -> HostSettings:
        """These settings with the `--set` values given (directory, interval, brake);
        a ValidationError lists every malformed one."""
        problems: list[str] = []
        interval, brake, directory = self.interval_minutes, self.brake_pct, self.directory
        for key, text in given.items():
            try:
                if key == "interval":
                    interval = parse_interval(text)
                elif key == "brake":
                    brake = parse_brake(text)
                elif key == "directory":
                    directory = parse_flag(text, "directory")
            except ValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)
        return HostSettings(interval, brake, directory)
