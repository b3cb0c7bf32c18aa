"""The bounds every value is held to where it comes in: one set for the imports, the services
behind the window's forms and the command line's arguments.

Whatever passes these can be stored by SQLite and PostgreSQL alike (the checks run in Python,
before either engine sees the value, so both refuse the same things) and read back by every
report, export and page without an overflow. docs/limits.md gives the reasons for each number
and the arithmetic behind the headroom.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

from stackadmin.errors import ValidationError

# -- dates and moments -------------------------------------------------------------------------
MIN_YEAR = 1900
MAX_YEAR = 2200
MIN_DATE = date(MIN_YEAR, 1, 1)
MAX_DATE = date(MAX_YEAR, 12, 31)
# What stackadmin itself derives from stored dates and may write in an export: a renewal
# rolled forward past 2200 (by up to a term's length), a cancel-by date before 1900 (by up to
# the notice and the lead). An import reads such derived columns within these.
DERIVED_MIN_DATE = date(1800, 1, 1)
DERIVED_MAX_DATE = date(2600, 12, 31)
MIN_MOMENT = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
MAX_MOMENT = datetime(MAX_YEAR, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)

# -- counts and day spans ----------------------------------------------------------------------
MAX_SEATS = 10_000_000  # seats purchased in one term (the column holds 2,147,483,647)
MAX_BILLING_MONTHS = 120  # "every N months"
MAX_NOTICE_DAYS = 3_650  # a notice period, and an internal lead, each
MAX_INACTIVITY_DAYS = 3_650  # a tool's (or the default) inactivity threshold
MAX_LEAD_DAYS = 730  # a reminder lead time
MAX_LEADS = 20  # lead times per tool (stored as text of at most 100 characters)
MAX_HEADROOM_PCT = 500  # spare seats recommended above the active count
MAX_SNOOZE_DAYS = 3_650
MAX_WITHIN_DAYS = 36_600  # `reminders --within`: a hundred years ahead at most
MAX_ID = 2**31 - 1  # record ids are INTEGER on both engines

# -- money and rates ---------------------------------------------------------------------------
# Any amount typed or imported, in minor units (cents, yen, fils): a thousand times below the
# BIGINT column's 9.2e18, and with the bounds above a report's largest intermediate value
# (price x seats x 12 periods x the largest conversion factor, summed over a million terms,
# in a base currency with 4 decimals) stays far inside MONEY_DIGITS.
MAX_MINOR_UNITS = 10**15
MIN_RATE = Decimal("0.000001")
MAX_RATE = Decimal(1_000_000)
MAX_RATE_DIGITS = 15  # significant digits of an exchange rate (stored as text, 40 at most)
# Decimal digits the money arithmetic of a report is rounded with (domain.money): enough for
# the largest value the bounds allow, with room to spare (tests/domain/test_limits.py).
MONEY_DIGITS = 60

# -- text --------------------------------------------------------------------------------------
# C0 controls, DEL and C1 controls: terminal escapes (ESC, CSI, OSC), NUL (which PostgreSQL
# refuses and SQLite keeps) and the like. Tab and line breaks are allowed where a field is
# multi-line; a one-line field refuses line breaks with their own message.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "backspace", 0x09: "tab", 0x1B: "ESC",
          0x7F: "DEL", 0x9B: "CSI", 0x9D: "OSC"}


def _fail(what: str, predicate: str) -> ValidationError:
    return ValidationError(f"{what} {predicate}" if what else predicate)


def _number(value: int | Decimal) -> str:
    return f"{value:,}"


def check_date(day: date, what: str = "", *, show: bool = True,
               derived: bool = False) -> date:
    """The day itself, or ValidationError when it is outside the years 1900 to 2200
    (`show`: the message repeats the day; a spreadsheet problem quotes the cell instead;
    `derived`: a date stackadmin derived for an export, read back within 1800 to 2600)."""
    low, high = (DERIVED_MIN_DATE, DERIVED_MAX_DATE) if derived else (MIN_DATE, MAX_DATE)
    if not low <= day <= high:
        got = f", got {day.isoformat()}" if show else ""
        raise _fail(what, f"must be between {low.year} and {high.year}{got}")
    return day


def check_moment(moment: datetime, what: str = "", *, show: bool = True) -> datetime:
    """An aware moment in the years 1900 to 2200 (UTC), or ValidationError."""
    if not MIN_MOMENT <= moment <= MAX_MOMENT:
        got = f", got {moment.isoformat()}" if show else ""
        raise _fail(what, f"must be between {MIN_YEAR} and {MAX_YEAR}{got}")
    return moment


def check_int(value: int, what: str, low: int, high: int) -> int:
    """A whole number within [low, high], or ValidationError naming the bounds."""
    if value < low:
        if low == 0:
            raise _fail(what, f"cannot be negative, got {_number(value)}")
        raise _fail(what, f"must be at least {_number(low)}, got {_number(value)}")
    if value > high:
        raise _fail(what, f"must be at most {_number(high)}, got {_shown_number(value)}")
    return value


def _shown_number(value: int) -> str:
    digits = str(value)
    return _number(value) if len(digits) <= 24 else f"a number of {len(digits)} digits"


def check_days(days: int, what: str, high: int, low: int = 0) -> int:
    return check_int(days, what, low, high)


def check_rate(rate: Decimal, what: str = "the rate") -> Decimal:
    """An exchange rate within [0.000001, 1,000,000] with at most 15 significant digits."""
    if not rate.is_finite() or not MIN_RATE <= rate <= MAX_RATE:
        raise _fail(what, f"must be between {MIN_RATE} and {_number(MAX_RATE)}, got "
                          f"{_short(str(rate))}")
    if len(rate.normalize().as_tuple().digits) > MAX_RATE_DIGITS:
        raise _fail(what, f"has more than {MAX_RATE_DIGITS} significant digits, got "
                          f"{_short(str(rate))}")
    return rate


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def describe_char(char: str) -> str:
    """'U+001B (ESC)' for a character named in a problem."""
    code = ord(char)
    name = _NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with a text's characters (a predicate, e.g. 'contains a control
    character ...'), or None when it may be stored."""
    found = _SURROGATE.search(value)
    if found:
        return (f"is not valid text: it contains {describe_char(found.group())}, half of a "
                "character (was the file or the terminal in another encoding?)")
    pattern = _CONTROL if multiline else _CONTROL_ONE_LINE
    found = pattern.search(value)
    if found:
        char = found.group()
        what = "a NUL character" if char == "\x00" else "a control character"
        return (f"contains {what}, {describe_char(char)}, at position "
                f"{found.start() + 1}: stackadmin keeps only printable text (remove it)")
    return None


def check_text(value: str, what: str = "", *, multiline: bool = False,
               max_length: int | None = None) -> str:
    """The text itself when it can be stored: no control characters (terminal escapes, NUL),
    no half characters, one line unless `multiline`, at most `max_length` characters."""
    if not multiline and ("\n" in value or "\r" in value):
        raise _fail(what, "must be on one line")
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise _fail(what, problem)
    if max_length is not None and len(value) > max_length:
        raise _fail(what, f"is longer than {max_length:,} characters ({len(value):,})")
    return value


_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")


# A first look at memory speed before the expressions above, which take ~10 ns a character
# (a million seats' JSON is 100 MB: 1.4 s): in UTF-8 (half characters passed through), DEL
# is the byte 7F, a C1 control starts with C2 and a half character with ED. Text with none
# of those bytes (nor, for printable, a C0 control byte) holds nothing either one changes;
# other text is looked at by the expression (C2 and ED also start ordinary letters).
_SUSPECT_C0 = bytes([0x7F, 0xC2, 0xED, *range(0x09), *range(0x0B, 0x20)])
_NOT_SUSPECT_C0 = bytes(b for b in range(256) if b not in _SUSPECT_C0)


def _may_hold_controls(text: str, *, c0: bool) -> bool:
    if len(text) < 4096:  # short text: the expression alone is as quick
        return True
    encoded = text.encode("utf-8", "surrogatepass")
    if c0:
        return bool(encoded.translate(None, _NOT_SUSPECT_C0))  # what is left is suspect
    return b"\x7f" in encoded or b"\xc2" in encoded or b"\xed" in encoded


def printable(text: str) -> str:
    """Text safe to print to a terminal: control characters (ESC and every other C0/C1
    control but tab and newline) and half characters are dropped."""
    if not _may_hold_controls(text, c0=True) or not _PRINTABLE.search(text):
        return text
    return _PRINTABLE.sub("", text)


def one_line(text: str) -> str:
    """A message on one line: line breaks and tabs (from a value it quotes) shown as \\n,
    \\r, \\t."""
    if "\n" not in text and "\r" not in text and "\t" not in text:
        return text
    return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def json_escaped(text: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False, which escapes C0 controls only)
    with DEL, the C1 controls and half characters escaped as \\uXXXX too: the same data, and
    nothing a terminal would act on. They can only stand inside JSON strings."""
    if not _may_hold_controls(text, c0=False) or not _JSON_UNSAFE.search(text):
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
