"""Running a plugin for the host (the sync engine, `integrations test`): the context it is
handed, its `check` and its `fetch`, with the contract enforced and every failure in words.

    with PluginRun(info.plugin_class, options, secret, progress=show, cancelled=stop.is_set) as run:
        result = run.fetch()          # FetchResult, or a PluginError
    result.accounts, result.seat_counts, result.notices, result.stats.pages, ...retries
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from stackadmin.plugins.api import (
    AccountRecord,
    CheckResult,
    ContractViolation,
    Notice,
    Plugin,
    PluginContext,
    PluginCrashed,
    PluginError,
    SeatCount,
    SecretValue,
    resolve_options,
)
from stackadmin.plugins.http import DEFAULT_TIMEOUT, HttpStats, Progress, RetryPolicy, VendorHttp
from stackadmin.plugins.redact import RedactingLogger, Redactor


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Everything one fetch returned, checked: each account once (by external id), in the
    order the vendor listed them; the counters of the HTTP work it took."""

    accounts: tuple[AccountRecord, ...]
    seat_counts: tuple[SeatCount, ...]
    notices: tuple[Notice, ...]
    stats: HttpStats


class PluginRun:
    """One run of one plugin: options resolved against its declaration (a ValidationError
    if they do not fit), a VendorHttp with the run's cancel check, progress callback and a
    redactor that knows the secret, then `check()` or `fetch()`.

    Every error leaves as a PluginError with the secret masked: a plugin's own PluginError
    as it is, anything else as PluginCrashed (its redacted traceback in `.details`)."""

    def __init__(self, plugin_class: type[Plugin], options: Mapping[str, str],
                 secret: str | None, *, progress: Callable[[Progress], None] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic,
                 wallclock: Callable[[], float] = time.time,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.plugin_class = plugin_class
        self.options = resolve_options(plugin_class.options, options)
        self.redactor = Redactor([secret])
        is_cancelled = cancelled or (lambda: False)
        self.http = VendorHttp(timeout=timeout, retry=retry, redactor=self.redactor,
                               cancelled=is_cancelled, progress=progress, sleep=sleep,
                               monotonic=monotonic, wallclock=wallclock, transport=transport)
        logger = logging.getLogger(f"stackadmin.plugins.{plugin_class.id}")
        self.context = PluginContext(
            plugin_id=plugin_class.id, http=self.http, options=self.options,
            secret=SecretValue(secret) if secret else None,
            progress=progress or (lambda _p: None), cancelled=is_cancelled,
            log=RedactingLogger(logger, self.redactor),
            now=lambda: datetime.fromtimestamp(wallclock(), tz=UTC))

    def __enter__(self) -> PluginRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    @property
    def stats(self) -> HttpStats:
        return self.http.stats.copy()

    def check(self) -> CheckResult:
        """The plugin's `check`: what it proved, or a PluginError."""
        result: Any = self._guarded(lambda: self._plugin().check(self.context))
        if isinstance(result, str):
            result = CheckResult(result)
        if not isinstance(result, CheckResult):
            raise ContractViolation(f"the plugin '{self.plugin_class.id}' check returned "
                                    f"{type(result).__name__}, not a CheckResult")
        return CheckResult(self.redactor(result.summary))

    def fetch(self, *, keep_raw: bool = True) -> FetchResult:
        """The plugin's `fetch`, collected and checked: a record of another type, an
        account listed twice, or a cancel turn into errors; nothing partial is returned.
        `keep_raw=False` drops each account's vendor JSON as it arrives (a sync stores none
        of it: 100,000 users' JSON would hold hundreds of megabytes until the end)."""
        result: FetchResult = self._guarded(lambda: self._collect(keep_raw))
        return result

    def _plugin(self) -> Plugin:
        return self.plugin_class()

    def _collect(self, keep_raw: bool = True) -> FetchResult:
        accounts: dict[str, AccountRecord] = {}
        counts: list[SeatCount] = []
        notices: list[Notice] = []
        ctx = self.context
        cancelled = ctx.cancelled
        for record in self._plugin().fetch(ctx):
            if type(record) is AccountRecord:
                if record.external_id in accounts:
                    raise ContractViolation(
                        f"the plugin '{self.plugin_class.id}' yielded the account "
                        f"{record.external_id} twice: a plugin merges a vendor's duplicate "
                        "listings into one account")
                if not keep_raw:
                    # The vendor's JSON goes as the record arrives: the host keeps none of
                    # it, and 100,000 users' JSON would stay in memory to the end. In place
                    # (the record is the host's from here): a copy cost 4 µs a record.
                    object.__setattr__(record, "raw", {})
                accounts[record.external_id] = record
            elif type(record) is SeatCount:
                counts.append(record)
            elif type(record) is Notice:
                notices.append(Notice(record.code, self.redactor(record.text)))
            else:
                raise ContractViolation(
                    f"the plugin '{self.plugin_class.id}' yielded a {type(record).__name__}; "
                    "fetch yields AccountRecord, SeatCount and Notice only")
            if cancelled():
                ctx.check_cancelled()
        ctx.check_cancelled()
        return FetchResult(tuple(accounts.values()), tuple(counts), tuple(notices), self.stats)

    def _guarded(self, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except PluginError as exc:
            exc.redact(self.redactor)
            # The chained exceptions (httpx's, the plugin's) are not scrubbed: drop them.
            exc.__cause__ = exc.__context__ = None
            raise
        except Exception as exc:
            details = self.redactor("".join(traceback.format_exception(exc)))
            summary = self.redactor(f"{type(exc).__name__}: {exc}")
            crashed = PluginCrashed(
                f"the plugin '{self.plugin_class.id}' failed ({summary}); this is a bug in the "
                "plugin", details=details)
        # Raised outside the handler, so that the original (unscrubbed) exception is not
        # kept as its context.
        raise crashed
