"""Reading a vendor's answer: its JSON body or a BadResponse saying what came instead, the
error an unsuccessful status means (in words, naming the missing scope where the vendor
says it), and the waits a vendor asks for in its throttling headers."""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC
from typing import Any

import httpx

from stackadmin.plugins.errors import (
    AuthRejected,
    BadResponse,
    MissingPermission,
    NotFound,
    PluginError,
    RequestRefused,
    Throttled,
    VendorUnavailable,
)

Scrub = Callable[[str], str]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_THROTTLE_REASONS = ("ratelimitexceeded", "userratelimitexceeded", "rate limit", "ratelimited")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
# Where vendors put their words: `reason` is Zoom's token endpoint ("Invalid client_id or
# client_secret"), before the bare OAuth error code.
_ERROR_FIELDS = (("message",), ("error_description",), ("errorSummary",), ("detail",),
                 ("error", "message"), ("reason",), ("error",), ("errors", "0", "message"))


def with_params(url: str, params: Mapping[str, str | int] | None) -> httpx.URL:
    """`url` with `params` added to the query it already has (httpx would replace it)."""
    parsed = httpx.URL(url)
    if not params:
        return parsed
    return parsed.copy_merge_params({k: str(v) for k, v in params.items()})


def show_url(url: str, scrub: Scrub, params: Mapping[str, str | int] | None = None) -> str:
    """A URL for a message: with its query, redacted, shortened."""
    text = scrub(str(with_params(url, params)) if params else url)
    return text if len(text) <= 200 else text[:197] + "..."


def parse_json(response: httpx.Response, method: str, scrub: Scrub) -> Any:
    """The body as JSON (None for 204, or an empty answer to a POST); BadResponse in words
    for an empty body, an HTML page (a sign-in page or a proxy), or JSON that does not
    parse (cut short)."""
    content = response.content
    if response.status_code == 204 or (not content.strip() and method != "GET"):
        return None
    # The common case first, without a word of the error texts (made only on error).
    first = content[:1]
    if first in (b"{", b"["):
        try:
            return json.loads(content)
        except (UnicodeDecodeError, json.JSONDecodeError):
            pass  # said in words below
    url = show_url(str(response.url), scrub)
    where = f"HTTP {response.status_code} on {method} {url}"
    if not content.strip():
        raise BadResponse(f"the vendor's answer is empty ({where}); JSON was expected",
                          status=response.status_code, url=url)
    # No JSON text starts with "<": an HTML (or XML) page, whatever its Content-Type says.
    if content.lstrip()[:1] == b"<":
        title = _TITLE.search(content[:4096])
        named = ""
        if title:
            words = " ".join(title.group(1).decode("utf-8", "replace").split())[:80]
            named = f" titled '{scrub(words)}'"
        raise BadResponse(f"the vendor answered with an HTML page{named} instead of JSON "
                          f"({where}): a sign-in page, a proxy, or a wrong base URL?",
                          status=response.status_code, url=url)
    try:
        return json.loads(content)
    except UnicodeDecodeError:
        raise BadResponse(f"the vendor's answer is not UTF-8 JSON ({where})",
                          status=response.status_code, url=url) from None
    except json.JSONDecodeError as exc:
        cut = " (cut short?)" if exc.pos >= len(content.rstrip()) - 1 else ""
        raise BadResponse(f"the vendor's answer is not valid JSON ({where}, {len(content)} "
                          f"bytes: {exc.msg} at byte {exc.pos}{cut})",
                          status=response.status_code, url=url) from None


def failure(response: httpx.Response, method: str, what: str | None, scrub: Scrub,
            wallclock: Callable[[], float]) -> tuple[PluginError, float | None, bool]:
    """The error an unsuccessful answer means, the wait the vendor asked for, and whether it
    is worth retrying (throttling, 502/503/504)."""
    status = response.status_code
    url = show_url(str(response.url), scrub)
    where = f"HTTP {status} on {method} {url}"
    said = vendor_message(response, scrub)
    quoted = f': "{said}"' if said else ""
    error: PluginError
    delay: float | None = None
    retry = False
    if status == 429 or (status == 403 and _throttling_403(response, said)):
        delay, retry = retry_delay(response, wallclock), True
        error = Throttled(f"the vendor is throttling requests ({where})", retry_after=delay,
                          status=status, url=url)
    elif status in RETRY_STATUSES:
        delay, retry = retry_delay(response, wallclock), True
        error = VendorUnavailable(f"the vendor is unavailable ({where} "
                                  f"{response.reason_phrase}){quoted}", status=status, url=url)
    elif status == 401:
        error = AuthRejected(f"the token was rejected ({where}){quoted}", status=status, url=url)
    elif status == 403:
        error = _forbidden(response, where, quoted, url)
    elif status == 404:
        error = NotFound(f"{what or 'what was asked for'} could not be found, or the token "
                         f"cannot see it ({where}){quoted}", status=status, url=url)
    elif 400 <= status < 500:
        error = RequestRefused(f"the vendor refused the request ({where}){quoted}",
                               status=status, url=url)
    else:
        error = VendorUnavailable(f"the vendor failed ({where} {response.reason_phrase})"
                                  f"{quoted}", status=status, url=url)
    error.vendor_message = said
    return error, delay, retry


def _forbidden(response: httpx.Response, where: str, quoted: str,
               url: str) -> MissingPermission:
    """A 403 naming the scope the vendor says it needs (GitHub's X-Accepted-OAuth-Scopes)
    and the scopes the token has."""
    accepted = _scope_list(response.headers.get("x-accepted-oauth-scopes"))
    held = response.headers.get("x-oauth-scopes")
    text = "the token lacks a permission this needs"
    if accepted:
        text += f": it needs the scope {' or '.join(accepted)}"
        if held is not None:
            text += f" (the token has: {', '.join(_scope_list(held)) or 'no scopes'})"
    return MissingPermission(f"{text} ({where}){quoted}", scopes=accepted,
                             status=response.status_code, url=url)


def _throttling_403(response: httpx.Response, said: str | None) -> bool:
    """GitHub and Google also throttle with 403: remaining 0, a Retry-After, or a rate-limit
    reason in the body. That is a wait, not a missing permission."""
    headers = response.headers
    remaining = headers.get("x-ratelimit-remaining") or headers.get("x-rate-limit-remaining")
    if remaining is not None and remaining.strip() == "0":
        return True
    if "retry-after" in headers:
        return True
    text = (said or "").lower()
    return any(reason in text.replace(" ", "") or reason in text
               for reason in _THROTTLE_REASONS)


def vendor_message(response: httpx.Response, scrub: Scrub) -> str | None:
    """What the vendor said, from the usual error fields of a JSON error body (redacted,
    shortened); Google's error reason is added."""
    try:
        body = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return None
    said: Any = None
    for path in _ERROR_FIELDS:
        said = _dig_any(body, path)
        if isinstance(said, str) and said.strip():
            break
        said = None
    reason = _dig_any(body, ("error", "errors", "0", "reason"))
    reasons = [reason] if isinstance(reason, str) else []
    if said is None and not reasons:
        return None
    text = scrub(" ".join(f"{said or ''} {' '.join(reasons)}".split()))
    return text if len(text) <= 240 else text[:237] + "..."


def retry_delay(response: httpx.Response, wallclock: Callable[[], float]) -> float | None:
    """Seconds the vendor asked to wait: `Retry-After` (seconds or an HTTP date), else a
    reset time (`x-ratelimit-reset`, `X-Rate-Limit-Reset`: epoch seconds)."""
    headers = response.headers
    after = headers.get("retry-after")
    if after:
        try:
            return max(0.0, float(after))
        except ValueError:
            try:
                moment = email.utils.parsedate_to_datetime(after)
            except (TypeError, ValueError):
                moment = None
            if moment is not None:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                return max(0.0, moment.timestamp() - wallclock())
    reset = headers.get("x-ratelimit-reset") or headers.get("x-rate-limit-reset")
    return until_reset(reset, wallclock) if reset else None


def until_reset(reset: str, wallclock: Callable[[], float]) -> float | None:
    try:
        value = float(reset)
    except ValueError:
        return None
    # Epoch seconds; a small number is a delay in seconds (some vendors send that).
    if value > 1_000_000_000:
        return max(0.0, value - wallclock() + 1.0)
    return max(0.0, value)


def exhausted_pause(response: httpx.Response, wallclock: Callable[[], float]) -> float | None:
    """After a successful answer saying no requests are left (remaining 0 with a reset
    time, as Okta and GitHub send): the seconds until the window resets, else None."""
    if response.status_code >= 400:
        return None
    headers = response.headers
    remaining = headers.get("x-ratelimit-remaining") or headers.get("x-rate-limit-remaining")
    reset = headers.get("x-ratelimit-reset") or headers.get("x-rate-limit-reset")
    if remaining is None or reset is None or remaining.strip() != "0":
        return None
    return until_reset(reset, wallclock) or None


def _scope_list(header: str | None) -> tuple[str, ...]:
    if not header:
        return ()
    return tuple(s.strip() for s in header.split(",") if s.strip())


def _dig_any(value: Any, path: Sequence[str]) -> Any:
    for key in path:
        if isinstance(value, list) and key.isdigit():
            index = int(key)
            value = value[index] if index < len(value) else None
        elif isinstance(value, Mapping):
            value = value.get(key)
        else:
            return None
    return value
