"""Reading vendor values: timestamps in every vendor's form, dates, emails, role words, URLs.

Each reader says what was wrong with a vendor's value in words (a `BadResponse` naming the
field), so one odd row gives a clear error rather than a wrong record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from stackadmin.domain.vocab import Role
from stackadmin.plugins.errors import BadResponse

# Vendors' "never" sentinels (Google 1970-01-01, Microsoft Graph 0001-01-01) are all before this.
_NEVER_BEFORE = datetime(1971, 1, 1, tzinfo=UTC)


def parse_timestamp(value: Any, *, field: str = "timestamp",
                    assume_utc: bool = False) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 text (`Z`, `-06:00`, any fraction of a second)
    or epoch seconds (int, float or digits, as Slack sends them); None for null or "".

    A text without an offset is refused unless `assume_utc` (the vendor documents UTC)."""
    if type(value) is str and value:
        # The common case first (a fetch reads one or two per account): an ISO text with
        # its offset, parsed in C and converted, with no further tests.
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                try:
                    return parsed.astimezone(UTC)
                except OverflowError:  # 0001-01-01T00:00:00-06:00: a sentinel, not a moment
                    return datetime(1, 1, 1, tzinfo=UTC)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadResponse(f"the vendor's {field} {value!r} is not a date and time")
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise BadResponse(f"the vendor's {field} {value!r} is not a date and time") from None
    if not isinstance(value, str):
        raise BadResponse(f"the vendor's {field} {value!r} is not a date and time")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadResponse(f"the vendor's {field} '{value}' is not a date and time") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        if not assume_utc:
            raise BadResponse(f"the vendor's {field} '{value}' has no time zone")
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00-06:00: a sentinel, not a moment
        return datetime(1, 1, 1, tzinfo=UTC)


def parse_date(value: Any, *, field: str = "date") -> date | None:
    """A date from `2021-11-01` (or the date part of a full timestamp, in UTC); None for
    null or ""."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise BadResponse(f"the vendor's {field} '{value}' is not a date") from None
    stamp = parse_timestamp(value, field=field, assume_utc=True)
    return None if stamp is None else stamp.date()


def is_never(moment: datetime | None) -> bool:
    """True for a vendor's "never" sentinel: Google's 1970-01-01, Graph's 0001-01-01."""
    return moment is not None and moment < _NEVER_BEFORE


def email_or_none(value: Any) -> str | None:
    """The address trimmed and lower-cased, or None when the value is not an email (a bot's
    empty profile, a login that is not an address)."""
    if type(value) is not str:
        return None
    text = value.strip().lower()
    return text if is_email(text) else None


def is_email(value: str) -> bool:
    """One `@` with something on each side, and no white space (what `[^@\\s]+@[^@\\s]+`
    says, without a regular expression: it runs for every account of a fetch)."""
    at = value.find("@")
    return (0 < at < len(value) - 1 and value.find("@", at + 1) < 0 and " " not in value
            and value.isprintable())


_ROLE_WORDS: Mapping[str, Role] = {
    "owner": Role.OWNER, "primary_owner": Role.OWNER, "primary owner": Role.OWNER,
    "org_owner": Role.OWNER, "super_admin": Role.OWNER, "super admin": Role.OWNER,
    "admin": Role.ADMIN, "administrator": Role.ADMIN, "org_admin": Role.ADMIN,
    "organization administrator": Role.ADMIN, "workspace admin": Role.ADMIN,
    "guest": Role.GUEST, "external": Role.GUEST, "restricted": Role.GUEST,
    "billing": Role.BILLING, "billing_manager": Role.BILLING, "billing manager": Role.BILLING,
    "billing admin": Role.BILLING,
}


def guess_role(word: str | None) -> Role:
    """The normalised role for a vendor's role word when the vendor has no fixed list (SCIM
    `roles`): owner, admin, guest and billing words are recognised, anything else is member."""
    if not word:
        return Role.MEMBER
    return _ROLE_WORDS.get(word.strip().lower().replace("-", "_"),
                           _ROLE_WORDS.get(word.strip().lower(), Role.MEMBER))


def dig(value: Any, *path: str) -> Any:
    """`value[path[0]][path[1]]...`, or None as soon as a step is missing or not an object."""
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def join_url(base: str, path: str) -> str:
    """`base` (the vendor's API root, e.g. `https://api.github.com` or
    `https://HOST/api/v3`) with the documented `path` appended exactly as documented."""
    return base.rstrip("/") + "/" + path.lstrip("/")


def segment(value: str) -> str:
    """A value quoted for one path segment (`/orgs/{org}`): a `/` or `?` in an organisation
    name cannot reach another endpoint."""
    return quote(value, safe="")
