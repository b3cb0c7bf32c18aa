"""The kit for testing a stackadmin plugin (yours or a built-in one), with pytest or not.

    from stackadmin.plugins.testing import FakeVendor, Reply, run_fetch, verify_plugin

    def test_members() -> None:
        with FakeVendor() as vendor:
            vendor.link_pages("/v1/users", users, per_page=2)
            result = verify_plugin(MyPlugin, vendor, options={"base_url": vendor.url},
                                   secret="test-token")
            assert [a.email for a in result.accounts] == [...]

- `FakeVendor`, `Reply`: a real HTTP server on loopback serving recorded pages and faults
  (429 with Retry-After, 503, a reset connection, JSON cut short, HTML with status 200, a
  slow answer, a repeated cursor), recording each request with its headers.
- `run_fetch`, `run_check`: run a plugin exactly as the host does (`PluginRun`), with a
  `FakeClock` so retries and rate-limit waits take no real time while the server still
  sends real headers.
- `verify_plugin`: the contract in one call — metadata, check, fetch, well-formed records,
  no naive datetime, no secret in any record, notice, error or log line, cancel honoured
  between pages. The single checks are here too (`check_records`, `assert_no_secret`,
  `check_cancel_between_pages`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from stackadmin.plugins.api import (
    AccountRecord,
    Cancelled,
    CheckResult,
    Notice,
    Plugin,
    PluginError,
    SeatCount,
    describe_problems,
)
from stackadmin.plugins.fake_vendor import FakeVendor, RecordedRequest, Reply
from stackadmin.plugins.host import FetchResult, PluginRun
from stackadmin.plugins.http import Progress, RetryPolicy
from stackadmin.plugins.redact import Redactor

# Short timeouts: a test's slow answer should fail fast; the retry budget is the real one.
TEST_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


@dataclass
class FakeClock:
    """Sleeps that take no time: `sleep` adds to `slept` and moves `monotonic` and
    `wallclock` forward (the wall clock starts at the real time, so an HTTP date in a
    real Retry-After header is still in the near future)."""

    start: float = field(default_factory=time.time)
    slept: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.sleeps.append(seconds)

    def monotonic(self) -> float:
        return time.monotonic() + self.slept

    def wallclock(self) -> float:
        return time.time() + self.slept


def make_run(plugin: type[Plugin], *, options: Mapping[str, str], secret: str | None,
             clock: FakeClock | None = None, retry: RetryPolicy | None = None,
             timeout: httpx.Timeout = TEST_TIMEOUT,
             cancelled: Callable[[], bool] | None = None,
             progress: Callable[[Progress], None] | None = None) -> PluginRun:
    """A PluginRun as the host makes one, on a FakeClock (a new one unless given)."""
    clock = clock or FakeClock()
    return PluginRun(plugin, options, secret, progress=progress, cancelled=cancelled,
                     timeout=timeout, retry=retry, sleep=clock.sleep,
                     monotonic=clock.monotonic, wallclock=clock.wallclock)


def run_fetch(plugin: type[Plugin], *, options: Mapping[str, str], secret: str | None,
              **settings: Any) -> FetchResult:
    """The plugin's fetch through the host's runner (see `make_run` for `settings`)."""
    with make_run(plugin, options=options, secret=secret, **settings) as run:
        return run.fetch()


def run_check(plugin: type[Plugin], *, options: Mapping[str, str], secret: str | None,
              **settings: Any) -> CheckResult:
    with make_run(plugin, options=options, secret=secret, **settings) as run:
        return run.check()


# -- contract checks -------------------------------------------------------------------------

def check_metadata(plugin: type[Plugin]) -> None:
    """The class describes itself as the registry requires (AssertionError listing what
    is wrong)."""
    problems = describe_problems(plugin)
    assert not problems, f"{plugin!r}: " + "; ".join(problems)


def check_records(records: FetchResult | Iterable[Any]) -> None:
    """Every record is an AccountRecord, SeatCount or Notice; times are aware UTC, dates
    are dates; each account appears once; `raw` is plain JSON."""
    items = (list(records.accounts) + list(records.seat_counts) + list(records.notices)
             if isinstance(records, FetchResult) else list(records))
    seen: set[str] = set()
    for record in items:
        assert isinstance(record, AccountRecord | SeatCount | Notice), \
            f"not a record: {record!r}"
        if isinstance(record, AccountRecord):
            assert record.external_id not in seen, f"account {record.external_id} listed twice"
            seen.add(record.external_id)
            for name in ("first_seen", "invited_at", "last_activity"):
                value = getattr(record, name)
                offset = value.utcoffset() if isinstance(value, datetime) else None
                assert value is None or (offset is not None and offset.total_seconds() == 0), \
                    f"account {record.external_id}: {name} {value!r} is not aware UTC"
            for name in ("pending_cancellation", "end_date"):
                value = getattr(record, name)
                assert value is None or (isinstance(value, date)
                                         and not isinstance(value, datetime)), \
                    f"account {record.external_id}: {name} {value!r} is not a date"
            assert record.email is None or record.email == record.email.lower()
        if isinstance(record, AccountRecord | SeatCount):
            try:
                json.dumps(dict(record.raw))
            except (TypeError, ValueError) as exc:
                raise AssertionError(f"{record!r}: raw is not plain JSON ({exc})") from None


def _texts(thing: Any) -> Iterator[str]:
    if thing is None:
        return
    if isinstance(thing, str):
        yield thing
    elif isinstance(thing, bytes):
        yield thing.decode("utf-8", "replace")
    elif isinstance(thing, logging.LogRecord):
        yield thing.getMessage()
        yield repr(thing.args)
        if thing.exc_text:
            yield thing.exc_text
    elif isinstance(thing, BaseException):
        yield str(thing)
        yield repr(thing)
        yield repr(thing.args)
        yield from _texts(getattr(thing, "details", None))
        yield from _texts(getattr(thing, "url", None))
        yield from _texts(getattr(thing, "vendor_message", None))
        yield from _texts(thing.__cause__)
        yield from _texts(thing.__context__)
    elif isinstance(thing, FetchResult):
        for record in (*thing.accounts, *thing.seat_counts, *thing.notices):
            yield from _texts(record)
    elif isinstance(thing, AccountRecord | SeatCount):
        yield repr(thing)
        yield json.dumps(dict(thing.raw), default=str)
    elif is_dataclass(thing) and not isinstance(thing, type):
        yield repr(thing)
        yield json.dumps(asdict(thing), default=str)
    elif isinstance(thing, Mapping):
        yield json.dumps(thing, default=str)
    elif isinstance(thing, Iterable):
        for part in thing:
            yield from _texts(part)
    else:
        yield repr(thing)


def assert_no_secret(secret: str, *things: Any) -> None:
    """None of `things` (text, exceptions with their chains, records, FetchResults, log
    records, lists of them) holds the secret, URL-encoded, base64'd or whole."""
    forms = Redactor([secret]).secrets()
    for thing in things:
        for text in _texts(thing):
            for form in forms:
                assert form not in text, f"the secret (as {form[:3]}…) appears in: {text[:300]}"


@contextmanager
def captured_logs(level: int = logging.DEBUG) -> Iterator[list[logging.LogRecord]]:
    """Every log record of the run, from every logger (stackadmin's, httpx's, httpcore's)."""
    records: list[logging.LogRecord] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            record.getMessage()
            records.append(record)

    handler = _Keep(level)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def check_cancel_between_pages(plugin: type[Plugin], vendor: FakeVendor, *,
                               options: Mapping[str, str], secret: str | None,
                               after_pages: int = 1) -> Cancelled:
    """Cancels once `after_pages` pages were read and proves the fetch stopped there: it
    raised Cancelled and sent the vendor no request after the cancel. Returns the error."""
    state: dict[str, int | None] = {"requests_at_cancel": None}

    def progress(step: Progress) -> None:
        if step.pages >= after_pages and state["requests_at_cancel"] is None:
            state["requests_at_cancel"] = len(vendor.requests)

    try:
        run_fetch(plugin, options=options, secret=secret, progress=progress,
                  cancelled=lambda: state["requests_at_cancel"] is not None)
    except Cancelled as exc:
        sent = len(vendor.requests)
        assert state["requests_at_cancel"] is not None
        assert sent == state["requests_at_cancel"], (
            f"{sent - state['requests_at_cancel']} request(s) were sent after the cancel")
        return exc
    raise AssertionError(f"the fetch ended without honouring a cancel after {after_pages} "
                         "page(s): does it read fewer pages, or ignore ctx.cancelled()?")


def verify_plugin(plugin: type[Plugin], vendor: FakeVendor, *, options: Mapping[str, str],
                  secret: str, check: bool = True) -> FetchResult:
    """The whole contract against `vendor` (already serving the plugin's pages): metadata,
    `check` (unless `check=False`), `fetch` with well-formed records, the secret in no
    record, notice or log line, and — when the fetch read two pages or more — cancel
    honoured between pages. Returns the fetch's result for your own asserts."""
    check_metadata(plugin)
    with captured_logs() as logs:
        if check:
            summary = run_check(plugin, options=options, secret=secret)
            assert summary.summary.strip(), "check returned an empty summary"
            assert_no_secret(secret, summary.summary)
        result = run_fetch(plugin, options=options, secret=secret)
    check_records(result)
    assert_no_secret(secret, result, logs)
    if result.stats.pages >= 2:
        before = len(vendor.requests)
        error = check_cancel_between_pages(plugin, vendor, options=options, secret=secret)
        assert_no_secret(secret, error)
        assert len(vendor.requests) > before
    return result


def fetch_error(plugin: type[Plugin], *, options: Mapping[str, str], secret: str,
                **settings: Any) -> PluginError:
    """The PluginError a fetch ends with (AssertionError if it succeeds), its text checked
    for the secret."""
    try:
        run_fetch(plugin, options=options, secret=secret, **settings)
    except PluginError as exc:
        assert_no_secret(secret, exc)
        return exc
    raise AssertionError("the fetch succeeded; an error was expected")


def write_distribution(folder: Path, name: str, entry_points: Mapping[str, str], *,
                       modules: Mapping[str, str] | None = None,
                       version: str = "1.0") -> Path:
    """An installed distribution without installing: `folder/<name>-<version>.dist-info`
    with METADATA and `entry_points` registered in the `stackadmin.plugins` group, plus
    `modules` (dotted name → source) as files. Put `folder` on sys.path (or PYTHONPATH for
    a subprocess) and `importlib.metadata` finds it as it finds any installed package.
    Returns the .dist-info folder."""
    info = folder / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
                                   encoding="utf-8")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[stackadmin.plugins]\n{lines}", encoding="utf-8")
    for module, source in (modules or {}).items():
        path = folder.joinpath(*module.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(folder).parents:
            if parent != Path("."):
                (folder / parent / "__init__.py").touch()
        path.write_text(source, encoding="utf-8")
    return info


def aware(text: str) -> datetime:
    """`aware("2026-01-02T03:04:05Z")`: an aware UTC datetime for asserts."""
    return datetime.fromisoformat(text).astimezone(UTC)


__all__ = [
    "TEST_TIMEOUT", "FakeClock", "FakeVendor", "RecordedRequest", "Reply", "assert_no_secret",
    "aware", "captured_logs", "check_cancel_between_pages", "check_metadata", "check_records",
    "fetch_error", "make_run", "run_check", "run_fetch", "verify_plugin", "write_distribution",
]
