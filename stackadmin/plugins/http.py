"""HTTP for vendor plugins: httpx with explicit timeouts, retries that honour the vendor's
throttling headers within a budget, pagination with a guard against loops, errors in words,
and no secret in any message.

One `VendorHttp` serves one run (a check or a fetch): the host makes it with the run's cancel
check, progress callback and redactor; a plugin binds its credential and headers with
`bind()` and reads with `get_json`, `paginate` or `items`.
"""

from __future__ import annotations

import functools
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from typing import Any
from urllib.parse import urljoin

import httpx

from stackadmin.plugins.answers import (
    exhausted_pause,
    parse_json,
    show_url,
    with_params,
)
from stackadmin.plugins.answers import failure as answer_failure
from stackadmin.plugins.auth import Auth
from stackadmin.plugins.errors import (
    BadResponse,
    Cancelled,
    ConfigError,
    ConnectionFailed,
    PluginError,
    RepeatedPage,
    Throttled,
    TimedOut,
    VendorUnavailable,
)
from stackadmin.plugins.paging import JsonResponse, Page, PageRequest, Paging, Params
from stackadmin.plugins.redact import Redactor, watch_library_logs
from stackadmin.plugins.values import dig

log = logging.getLogger("stackadmin.plugins.http")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_UNSET: Any = object()

ItemsSpec = str | Sequence[str] | Callable[[Any], Any] | None
Check = Callable[[JsonResponse], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to keep trying. A request is sent at most `max_attempts` times and waits at
    most `max_wait` seconds in all between them; a run waits at most `max_run_wait` seconds
    in all (backoff and rate-limit pauses). Without a `Retry-After` or reset header, waits
    grow from `base_delay` (doubling, at most `max_delay`) with ±`jitter` of randomness."""

    max_attempts: int = 6
    max_wait: float = 300.0
    max_run_wait: float = 900.0
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.25


@dataclass(slots=True)
class HttpStats:
    """What a run cost: requests sent, pages read, retries, seconds spent waiting, and how
    many answers were throttling."""

    requests: int = 0
    pages: int = 0
    retries: int = 0
    waited: float = 0.0
    throttled: int = 0

    def copy(self) -> HttpStats:
        return replace(self)


@dataclass(frozen=True, slots=True)
class Progress:
    """A step of a run for the user: `text` in words, pages read so far in the run, and
    items so far / in all when known."""

    text: str
    pages: int
    items: int | None = None
    total: int | None = None


@functools.lru_cache(maxsize=1)
def user_agent() -> str:
    """`stackadmin/<version>`, from the installed package's metadata."""
    try:
        return f"stackadmin/{metadata.version('stackadmin')}"
    except metadata.PackageNotFoundError:
        return "stackadmin"


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The verified TLS context every run shares. Building one reads the CA bundle (~40 ms
    on this machine class); a run's client and its loopback transports each built their
    own, which made starting a run cost ~0.2 s. An SSLContext is safe to share between
    clients and threads once configured."""
    return httpx.create_ssl_context(verify=True, trust_env=True)


def is_loopback(host: str) -> bool:
    import ipaddress

    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_safe_url(url: str) -> httpx.URL:
    """The URL, if stackadmin may send a credential to it: HTTPS, or plain HTTP to this
    computer's loopback address (tests, local fakes). Anything else is a ConfigError."""
    return _safe_url(url)


@functools.lru_cache(maxsize=512)
def _safe_url(url: str) -> httpx.URL:
    """require_safe_url, once per URL (a listing asks for the same one page after page)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise ConfigError(f"'{url}' is not a URL") from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise ConfigError(f"'{url}' is not an http(s) URL with a host name")
    if parsed.scheme == "http" and not is_loopback(parsed.host):
        raise ConfigError(f"'{url}' is plain HTTP: stackadmin sends credentials over HTTPS "
                          "only (plain HTTP is allowed to this computer's loopback address)")
    return parsed


@functools.lru_cache(maxsize=512)
def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


class _Shared:
    """What every bound view of one VendorHttp shares: the connection pool, the counters, the
    budget, the clocks and the run's hooks."""

    def __init__(self, *, client: httpx.Client, retry: RetryPolicy, redactor: Redactor,
                 cancelled: Callable[[], bool], progress: Callable[[Progress], None] | None,
                 sleep: Callable[[float], None], monotonic: Callable[[], float],
                 wallclock: Callable[[], float], rng: random.Random,
                 timeout: httpx.Timeout) -> None:
        self.client = client
        self.retry = retry
        self.redactor = redactor
        self.cancelled = cancelled
        self.progress = progress
        self.sleep = sleep
        self.monotonic = monotonic
        self.wallclock = wallclock
        self.rng = rng
        self.timeout = timeout
        self.stats = HttpStats()
        self.run_waited = 0.0
        self.pause_until: float | None = None  # wallclock epoch: the vendor's window resets


class VendorHttp:
    """The host's HTTP client for one plugin run. See the module docstring."""

    def __init__(self, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 retry: RetryPolicy | None = None, redactor: Redactor | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 progress: Callable[[Progress], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic,
                 wallclock: Callable[[], float] = time.time,
                 transport: httpx.BaseTransport | None = None,
                 rng: random.Random | None = None) -> None:
        # A proxy from the environment (HTTPS_PROXY) is used for vendors, never for this
        # computer's own loopback address.
        tls = tls_context()
        mounts = None if transport is not None else {
            f"all://{host}": httpx.HTTPTransport(verify=tls)
            for host in ("127.0.0.1", "localhost", "[::1]")}
        client = httpx.Client(
            timeout=timeout, transport=transport, mounts=mounts, follow_redirects=False,
            verify=tls,
            headers={"User-Agent": user_agent(), "Accept": "application/json"})
        self._shared = _Shared(
            client=client, retry=retry or RetryPolicy(), redactor=redactor or Redactor(),
            cancelled=cancelled or (lambda: False), progress=progress, sleep=sleep,
            monotonic=monotonic, wallclock=wallclock, rng=rng or random.Random(),
            timeout=timeout)
        self._auth: Auth | None = None
        self._headers: dict[str, str] = {}
        watch_library_logs(self._shared.redactor)

    # -- views, counters, clocks -----------------------------------------------------------

    def bind(self, *, auth: Auth | None = _UNSET,
             headers: Mapping[str, str] | None = None) -> VendorHttp:
        """A view that sends `auth` and `headers` with every request; it shares this
        client's connections, counters, budget and cancel check."""
        view = object.__new__(VendorHttp)
        view._shared = self._shared
        view._auth = self._auth if auth is _UNSET else auth
        view._headers = {**self._headers, **(headers or {})}
        if view._auth is not None:
            view._auth.register(self._shared.redactor)
        return view

    @property
    def stats(self) -> HttpStats:
        return self._shared.stats

    @property
    def redactor(self) -> Redactor:
        return self._shared.redactor

    def monotonic(self) -> float:
        return self._shared.monotonic()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._shared.wallclock(), tz=UTC)

    def cancelled(self) -> bool:
        return self._shared.cancelled()

    def raise_if_cancelled(self) -> None:
        if self._shared.cancelled():
            raise Cancelled("cancelled")

    def report(self, progress: Progress) -> None:
        if self._shared.progress is not None:
            self._shared.progress(progress)

    def close(self) -> None:
        self._shared.client.close()

    def __enter__(self) -> VendorHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ----------------------------------------------------------------------------

    def get_json(self, url: str, *, params: Params | None = None,
                 headers: Mapping[str, str] | None = None, what: str | None = None,
                 check: Check | None = None) -> Any:
        """GET `url` and return its JSON body. `what` names the thing for errors ("the
        organisation 'acme'"); `check` may inspect the answer and raise (a Slack `ok: false`):
        a `Throttled` it raises is retried like a 429, a `VendorUnavailable` like a 503."""
        return self.request("GET", url, params=params, headers=headers, what=what,
                            check=check).body

    def post_form(self, url: str, form: Mapping[str, str], *, params: Params | None = None,
                  auth: Auth | None = _UNSET, what: str | None = None) -> Any:
        """POST an `application/x-www-form-urlencoded` body (OAuth token endpoints) and return
        the JSON answer."""
        if auth is not _UNSET and auth is not None:
            auth.register(self._shared.redactor)
        return self.request("POST", url, params=params, form=form, what=what, auth=auth).body

    def request(self, method: str, url: str, *, params: Params | None = None,
                headers: Mapping[str, str] | None = None, form: Mapping[str, str] | None = None,
                json_body: Any = None, what: str | None = None, check: Check | None = None,
                auth: Auth | None = _UNSET) -> JsonResponse:
        """Sends one request with retries (429, 502, 503, 504, throttling 403s, timeouts,
        connection errors) and returns the parsed answer, or raises a PluginError in words."""
        shared = self._shared
        policy = shared.retry
        use_auth = self._auth if auth is _UNSET else auth
        current = url
        current_params = params
        attempt = 0
        waited = 0.0
        renewed = False
        hops = 0
        while True:
            require_safe_url(current)
            self.raise_if_cancelled()
            self._pause_for_rate_limit(method, current)
            attempt += 1
            sent = dict(self._headers)
            if headers:
                sent.update(headers)
            if use_auth is not None:
                sent.update(use_auth.headers(self))
            delay: float | None = None
            try:
                response = shared.client.request(method, with_params(current, current_params),
                                                 headers=sent, data=form, json=json_body)
            except httpx.TimeoutException:
                failure: PluginError = TimedOut(
                    f"the vendor did not answer within {self._timeout_text()} "
                    f"({method} {self._show(current, current_params)})", url=self._show(current))
            except httpx.TransportError as exc:
                failure = ConnectionFailed(
                    f"could not reach the vendor ({self._transport_reason(exc)}) "
                    f"({method} {self._show(current, current_params)})", url=self._show(current))
            else:
                shared.stats.requests += 1
                status = response.status_code
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s", self._scrub(f"{method} {response.url} -> {status}"))
                pause = exhausted_pause(response, shared.wallclock)
                if pause:
                    shared.pause_until = shared.wallclock() + pause
                if status in _REDIRECTS:
                    current = self._redirect_target(method, response, hops)
                    current_params = None
                    hops += 1
                    attempt -= 1
                    continue
                if status == 401 and use_auth is not None and not renewed and use_auth.renew():
                    renewed = True
                    attempt -= 1
                    continue
                if 200 <= status < 300:
                    result = JsonResponse(str(response.url), status, response.headers,
                                          parse_json(response, method, self._scrub))
                    if check is None:
                        return result
                    try:
                        check(result)
                        return result
                    except Throttled as exc:
                        shared.stats.throttled += 1
                        exc.redact(self._scrub)
                        failure, delay = exc, exc.retry_after
                    except VendorUnavailable as exc:
                        # A server error told in a 200 (Slack's fatal_error): retried
                        # with backoff, like a 503.
                        exc.redact(self._scrub)
                        failure, delay = exc, None
                else:
                    failure, delay, retryable = answer_failure(response, method, what,
                                                               self._scrub, shared.wallclock)
                    if isinstance(failure, Throttled):
                        shared.stats.throttled += 1
                    if not retryable:
                        raise failure
            if attempt >= policy.max_attempts:
                raise self._exhausted(failure, attempt, waited)
            wait = delay if delay is not None else self._backoff(attempt)
            if waited + wait > policy.max_wait or shared.run_waited + wait > policy.max_run_wait:
                raise self._exhausted(failure, attempt, waited, asked=wait)
            shared.stats.retries += 1
            log.info("%s", self._scrub(f"{failure.message}: retrying in {wait:.1f} s "
                                       f"(attempt {attempt + 1} of {policy.max_attempts})"))
            self._wait(wait)
            waited += wait

    # -- pagination --------------------------------------------------------------------------

    def paginate(self, url: str, paging: Paging, *, params: Params | None = None,
                 headers: Mapping[str, str] | None = None, items: ItemsSpec = None,
                 total: str | Sequence[str] | None = None, what: str | None = None,
                 check: Check | None = None, max_pages: int | None = None,
                 stop_on_empty: bool = False,
                 restart_on: Callable[[PluginError], bool] | None = None,
                 max_restarts: int = 1) -> Iterator[Page]:
        """Reads a listing page by page. `items` says where a page's list is (None: the body
        is the list; a key or key path; or a function of the body); `total` where the
        vendor's count of all items is. Cancel is checked before every page; a page asked
        for twice raises RepeatedPage; a next link to another host raises BadResponse.
        `max_pages` stops quietly after that many pages (a vendor's documented cap);
        `stop_on_empty` at the first page without items (a polling endpoint such as Okta's
        System Log, which always gives a next link).
        `restart_on(error)` True restarts the listing from the first page (Zoom's page token
        expires after 15 minutes), at most `max_restarts` times: the pages then come again,
        so the plugin keeps items by their id."""
        label = what or "the listing"
        require_safe_url(url)
        first = paging.first(PageRequest(url, dict(params or {})))
        origin = _origin(url)
        request: PageRequest | None = first
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        number = count = restarts = 0
        while request is not None:
            if request.key() in seen:
                raise RepeatedPage(
                    f"the vendor sent {paging.describe(request)} again after page {number} of "
                    f"{label}: stopped rather than read the same pages forever",
                    url=self._show(request.url))
            seen.add(request.key())
            if _origin(request.url) != origin:
                raise BadResponse(f"the next page of {label} is on another host "
                                  f"({httpx.URL(request.url).host}): not followed, so the "
                                  "token is not sent there", url=self._show(request.url))
            try:
                response = self.request("GET", request.url, params=request.params,
                                        headers=headers, what=what, check=check)
                page_items = _extract_items(response, items)
                following = paging.next(request, response, page_items)
            except PluginError as exc:
                if restart_on is not None and restarts < max_restarts and restart_on(exc):
                    restarts += 1
                    log.info("%s", self._scrub(f"{exc.message}: reading {label} again from "
                                               "the first page"))
                    request, number, count = first, 0, 0
                    seen.clear()
                    continue
                if number:
                    exc.args = (f"{exc.message} (on page {number + 1} of {label}, after "
                                f"{count} items)", *exc.args[1:])
                raise
            number += 1
            count += len(page_items)
            self._shared.stats.pages += 1
            page_total = _extract_total(response.body, total)
            text = f"{label}: page {number}, " + (
                f"{count} of {page_total}" if page_total is not None else f"{count} so far")
            self.report(Progress(text, self._shared.stats.pages, count, page_total))
            yield Page(number, response.url, response.body, page_items, page_total, restarts)
            if (max_pages is not None and number >= max_pages) or (stop_on_empty
                                                                    and not page_items):
                return
            request = following
            self.raise_if_cancelled()

    def items(self, url: str, paging: Paging, **kwargs: Any) -> Iterator[Any]:
        """Every item of every page of `paginate(url, paging, **kwargs)`, in order."""
        for page in self.paginate(url, paging, **kwargs):
            yield from page.items

    # -- the parts ---------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        scrubbed: str = self._shared.redactor(text)
        return scrubbed

    def _show(self, url: str, params: Params | None = None) -> str:
        return show_url(url, self._shared.redactor, params)

    def _timeout_text(self) -> str:
        read = self._shared.timeout.read
        return f"{read:g} s" if read is not None else "the time allowed"

    @staticmethod
    def _transport_reason(exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.ConnectError):
            return "connection refused or host unknown"
        if isinstance(exc, httpx.RemoteProtocolError):
            return "the connection was closed before the whole answer came"
        if isinstance(exc, httpx.ReadError):
            return "the connection was reset"
        return type(exc).__name__

    def _redirect_target(self, method: str, response: httpx.Response, hops: int) -> str:
        here = str(response.url)
        location = response.headers.get("location")
        if not location or hops >= _MAX_REDIRECTS or method != "GET":
            raise BadResponse(f"the vendor redirected {method} {self._show(here)} "
                              f"(HTTP {response.status_code}) and it was not followed",
                              status=response.status_code, url=self._show(here))
        target: str = urljoin(here, str(location))
        if _origin(target) != _origin(here):
            raise BadResponse(
                f"the vendor redirected {method} {self._show(here)} to another host "
                f"({httpx.URL(target).host}): not followed, so the token is not sent there",
                status=response.status_code, url=self._show(here))
        return target

    def _pause_for_rate_limit(self, method: str, url: str) -> None:
        shared = self._shared
        if shared.pause_until is None:
            return
        wait = shared.pause_until - shared.wallclock()
        shared.pause_until = None
        if wait <= 0:
            return
        policy = shared.retry
        if wait > policy.max_wait or shared.run_waited + wait > policy.max_run_wait:
            resume = datetime.fromtimestamp(shared.wallclock() + wait, tz=UTC)
            raise Throttled(
                f"the vendor's rate limit is used up until {resume:%H:%M} UTC, longer than "
                f"stackadmin waits ({method} {self._show(url)}): try again after that",
                retry_after=wait, url=self._show(url))
        log.info("%s", self._scrub(f"rate limit used up: waiting {wait:.1f} s for its reset "
                                   f"before {method} {self._show(url)}"))
        self._wait(wait)

    def _backoff(self, attempt: int) -> float:
        policy = self._shared.retry
        delay = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
        spread = delay * policy.jitter
        return max(0.0, delay + self._shared.rng.uniform(-spread, spread))

    def _wait(self, seconds: float) -> None:
        """Sleeps in short steps so that a cancel ends the wait within a quarter second."""
        shared = self._shared
        shared.stats.waited += seconds
        shared.run_waited += seconds
        left = seconds
        while left > 0:
            self.raise_if_cancelled()
            step = min(left, 0.25)
            shared.sleep(step)
            left -= step
        self.raise_if_cancelled()

    def _exhausted(self, failure: PluginError, attempts: int, waited: float,
                   asked: float | None = None) -> PluginError:
        if asked is not None and asked > self._shared.retry.max_wait:
            tail = (f"; the vendor asked to wait {asked:.0f} s more, longer than stackadmin "
                    "waits: try again later")
        else:
            tail = (f"; gave up after {attempts} attempt{'s' if attempts != 1 else ''} and "
                    f"{waited:.0f} s of waiting")
        failure.args = (f"{failure.message}{tail}", *failure.args[1:])
        return failure


def _extract_items(response: JsonResponse, spec: ItemsSpec) -> list[Any]:
    body = response.body
    if spec is None:
        found = body
        name = "the answer"
    elif callable(spec):
        found = spec(body)
        name = "the answer"
    else:
        path = (spec,) if isinstance(spec, str) else tuple(spec)
        if not isinstance(body, dict):
            what = "an empty answer" if body is None else f"a JSON {_json_kind(body)}"
            raise BadResponse(f"the answer is {what}, not the object holding "
                              f"'{'.'.join(path)}' as documented", status=response.status,
                              url=response.url)
        found = dig(body, *path)
        name = f"'{'.'.join(path)}'"
    if not isinstance(found, list):
        raise BadResponse(f"{name} is not a list as documented (got "
                          f"{type(found).__name__})", status=response.status, url=response.url)
    return found


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "true or false"
    return "number" if isinstance(value, int | float) else type(value).__name__


def _extract_total(body: Any, spec: str | Sequence[str] | None) -> int | None:
    if spec is None:
        value = dig(body, "totalResults")
    else:
        value = dig(body, *((spec,) if isinstance(spec, str) else tuple(spec)))
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value
