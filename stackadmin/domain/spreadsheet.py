"""Cell values as spreadsheets write them: amounts, dates, yes/no, counts, billing periods."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from stackadmin.domain.limits import MAX_YEAR, MIN_YEAR, check_date, check_moment, check_text
from stackadmin.domain.terms import parse_billing_period
from stackadmin.domain.vocab import PricingModel
from stackadmin.errors import ValidationError

# Spaces a spreadsheet puts between thousands: plain, no-break, narrow no-break, thin.
_SPACES = (" ", "\u00a0", "\u202f", "\u2009")
_SYMBOLS = "$€£¥₹₩₪₫₺₽¢"
# The currencies a sign can stand for (a dollar or a cent sign says too little to check).
_SIGN_CODES = {"€": ("EUR",), "£": ("GBP",), "¥": ("JPY", "CNY"), "₹": ("INR",),
               "₩": ("KRW",), "₪": ("ILS",), "₫": ("VND",), "₺": ("TRY",), "₽": ("RUB",)}
_CODE = re.compile(r"[A-Za-z]{3}")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_GROUPED_COMMA = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d*)?$")
_PLAIN = re.compile(r"^\d*(?:\.\d*)?$")
_PLAIN_COMMA = re.compile(r"^\d*(?:,\d*)?$")
_SPACED = re.compile(r"^[-+]?\d{1,3}(?: \d{3})+(?:[.,]\d*)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00(?:\.0+)?)?$")


def parse_amount(text: str, *, decimal_comma: bool = False) -> tuple[Decimal, str | None]:
    """'$1,200.00' -> (1200.00, None); '1 200,50 €' (decimal_comma) -> (1200.50, None);
    '1200 EUR' -> (1200, 'EUR'). The second value is an ISO code written in the cell, so the
    caller can check it against the currency column. Negative amounts are returned as such
    ('-5', '(5.00)'); the caller decides whether they are allowed."""
    raw = text or ""
    value = raw.strip()
    code = None
    for prefix_or_suffix in (value[:3], value[-3:]):
        if len(value) > 3 and _CODE.fullmatch(prefix_or_suffix):
            code = prefix_or_suffix.upper()
            value = value[3:] if value.startswith(prefix_or_suffix) else value[:-3]
            break
    negative = False
    if value.startswith("(") and value.endswith(")"):  # accounting notation
        negative, value = True, value[1:-1]
    for ch in _SYMBOLS:
        value = value.replace(ch, "")
    value = re.sub(r"^([-+]) +", r"\1", _one_space(value).strip())  # '- 5' is -5
    if " " in value:
        # Spaces only between groups of three digits ('1 200,50'): '1 2 3' is no amount.
        if not _SPACED.match(value):
            raise ValidationError("is not an amount")
        value = value.replace(" ", "")
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    elif value.startswith("+"):
        value = value[1:]
    if not value or not any(c.isdigit() for c in value):
        raise ValidationError("is not an amount")
    if decimal_comma:
        if _GROUPED_COMMA.match(value):
            value = value.replace(".", "")
        elif not _PLAIN_COMMA.match(value):
            raise ValidationError("is not an amount with a decimal comma (e.g. 1.200,50)")
        value = value.replace(",", ".")
    elif _GROUPED.match(value):
        value = value.replace(",", "")
    elif not _PLAIN.match(value):
        hint = " (for a decimal comma, use --decimal-comma)" if "," in value else ""
        raise ValidationError(f"is not an amount{hint}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValidationError("is not an amount") from None
    return (-amount if negative else amount), code


_COUNT = re.compile(r"^-?(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+)$")


def _one_space(value: str) -> str:
    """The spaces a spreadsheet writes (no-break, narrow, thin) as plain ones."""
    for ch in _SPACES[1:]:
        value = value.replace(ch, " ")
    return value


def signed_currencies(text: str) -> tuple[str, ...]:
    """The currencies the signs written in an amount's cell can stand for ('€5': EUR); empty
    when it has none that says."""
    found: tuple[str, ...] = ()
    for sign, codes in _SIGN_CODES.items():
        if sign in (text or ""):
            found += codes
    return found


def written_decimals(amount: Decimal) -> int:
    """How many decimals the cell wrote ('1.000': 3), trailing zeros included."""
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_count(text: str, maximum: int | None = None) -> int:
    """Whole, non-negative: '25', '1,200', '1 200', '12.0' (as Excel writes a number); at
    most `maximum` (domain.limits). Thousands are grouped by threes or not at all: '12,5'
    and '1 2 3' are refused, never read as 125 or 123."""
    value = _one_space((text or "").strip())
    if value.endswith(".0"):
        value = value[:-2]
    if not _COUNT.match(value):
        raise ValidationError("must be a whole number")
    try:
        number = int(value.replace(",", "").replace(" ", ""))
    except ValueError:
        raise ValidationError("must be a whole number") from None
    if number < 0:
        raise ValidationError("cannot be negative")
    if maximum is not None and number > maximum:
        raise ValidationError(f"must be at most {maximum:,}")
    return number


def parse_yes_no(text: str) -> bool:
    value = (text or "").strip().lower()
    if value in ("yes", "y", "true", "t", "1", "on"):
        return True
    if value in ("no", "n", "false", "f", "0", "off"):
        return False
    raise ValidationError("must be yes or no (yes/no, true/false, 1/0)")


def parse_pricing(text: str) -> str:
    value = " ".join((text or "").strip().lower().replace("_", " ").replace("-", " ").split())
    if value in ("per seat", "seat", "per user", "user", "per license", "per licence"):
        return PricingModel.PER_SEAT.value
    if value in ("flat", "flat fee", "fixed", "flat rate"):
        return PricingModel.FLAT.value
    raise ValidationError("must be per_seat or flat")


def parse_period(text: str) -> int:
    """Months between invoices; the domain's words plus a bare number of months."""
    value = (text or "").strip()
    if value.isdigit() and 0 < int(value) <= 120:
        return int(value)
    try:
        return parse_billing_period(value)
    except ValidationError:
        raise ValidationError(
            "must be a billing period: monthly, quarterly, annual/yearly, or every N months"
        ) from None


def parse_date(text: str, date_format: str | None = None, *, derived: bool = False) -> date:
    """ISO (YYYY-MM-DD) always; another form only with an explicit `date_format` (strftime
    codes, e.g. %d/%m/%Y). A day/month order that cannot be told apart is never guessed.
    Years 1900 to 2200 (`derived`: a date an export derived, 1800 to 2600)."""
    raw = text or ""
    value = raw.strip()
    midnight = _ISO_MIDNIGHT.match(value)  # what a spreadsheet writes for a date cell
    if midnight:
        value = midnight.group(1)
    if _ISO_DATE.match(value):
        try:
            return check_date(date.fromisoformat(value), show=False, derived=derived)
        except ValueError:
            raise ValidationError("is not a real date") from None
    if date_format:
        try:
            day = datetime.strptime(value, date_format).date()
        except ValueError:
            raise ValidationError(f"is not a date in the format {date_format}") from None
        return check_date(day, show=False, derived=derived)
    slashed = _SLASHED.match(value)
    if slashed:
        first, second = int(slashed.group(1)), int(slashed.group(2))
        if first <= 12 and second <= 12 and first != second:
            raise ValidationError(
                "is ambiguous (day/month or month/day?): give the format with "
                "--date-format, e.g. %d/%m/%Y or %m/%d/%Y"
            )
        raise ValidationError(
            "is not an ISO date (YYYY-MM-DD): give its format with --date-format, e.g. %d/%m/%Y"
        )
    raise ValidationError("is not a date (expected YYYY-MM-DD)")


def parse_timestamp(text: str, date_format: str | None = None) -> datetime:
    """A moment in UTC: an ISO date-time (with an offset it is converted; without one it is
    taken as UTC, as exports write), or a date alone (midnight UTC)."""
    value = (text or "").strip()
    if len(value) > 10 and value[4:5] == "-" and value[10:11] in ("T", " "):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError("is not a date and time (expected YYYY-MM-DD HH:MM:SS)") from None
        return _in_utc(moment)
    if date_format and any(code in date_format for code in ("%H", "%I", "%M")):
        try:
            moment = datetime.strptime(value, date_format)
        except ValueError:
            raise ValidationError(f"is not a date in the format {date_format}") from None
        return _in_utc(moment)
    day = parse_date(value, date_format)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _in_utc(moment: datetime) -> datetime:
    """Aware and in UTC, within the years stackadmin takes (an offset can push a moment at
    the end of 9999 past what a datetime holds)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValidationError(f"must be between {MIN_YEAR} and {MAX_YEAR}") from None
    return check_moment(utc, show=False)


# What a spreadsheet would read as the start of a formula; the exports put a ' before text
# that starts with one of these, or with a ' itself (so that a ' of the text survives).
FORMULA_STARTS = frozenset("=+-@\t\r\n")
QUOTED_STARTS = FORMULA_STARTS | {"'"}


def unquote(text: str) -> str:
    """A cell as it was before an export neutralised it: the one ' in front taken off."""
    return text[1:] if text[:1] == "'" and text[1:2] in QUOTED_STARTS else text


def clean_text(text: str, *, multiline: bool = False) -> str:
    """A text cell, trimmed. The apostrophe our exports put in front (see `neutralise`) is
    taken off again; a live formula (=..., @...) is refused rather than stored for a later
    spreadsheet to run. Names must be one line; notes may have several; control characters
    (terminal escapes, NUL) are refused everywhere."""
    value = (text or "").strip()
    if value[:1] == "'" and value[1:2] in QUOTED_STARTS:
        return check_text(value[1:], multiline=multiline)
    refuse_formula(value)
    return check_text(value, multiline=multiline)


def refuse_formula(text: str) -> None:
    """A live formula (=..., @...) in a cell, not quoted by our exports: refused, in an
    email or a vendor id as in any text."""
    if (text or "").strip()[:1] in ("=", "@"):
        raise ValidationError("looks like a spreadsheet formula; stackadmin stores text, not "
                              "formulas (put a ' in front to keep it as text)")


def header_key(text: str) -> str:
    """How header names are compared: case, spaces, dashes and punctuation do not count."""
    value = (text or "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", value).strip("_")


def neutralise(text: str) -> str:
    """OWASP CSV injection: a text cell that a spreadsheet would run as a formula gets a
    leading apostrophe, which Excel and LibreOffice show as plain text. Text that starts with
    an apostrophe gets one more, so that `unquote` gives back exactly what was written."""
    if text and text[0] in QUOTED_STARTS:
        return "'" + text
    return text
