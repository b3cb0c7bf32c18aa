"""The failures of a vendor plugin, one class per thing a user can act on, each told in words.

Every class is a `UserError`: its text is a complete sentence shown as is (CLI, GUI, run
history) and never carries the secret. `kind` is a stable machine word for each class, for
the sync history and for `--json` output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from stackadmin.errors import UserError


class PluginError(UserError):
    """A plugin could not do what was asked. `status` is the HTTP status when there was one,
    `url` the request's URL (without credentials)."""

    kind: ClassVar[str] = "plugin"
    # What the vendor said about it in its own words, when it did (redacted, shortened).
    vendor_message: str | None = None

    def __init__(self, message: str, *, status: int | None = None,
                 url: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.url = url

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def redact(self, scrub: Callable[[str], str]) -> None:
        """Rewrites the message and URL through `scrub` (the host's redactor) in place."""
        self.args = tuple(scrub(a) if isinstance(a, str) else a for a in self.args)
        if self.url is not None:
            self.url = scrub(self.url)
        if self.vendor_message is not None:
            self.vendor_message = scrub(self.vendor_message)


class ConfigError(PluginError):
    """The integration's options are wrong (a missing organisation, an http:// URL...)."""

    kind = "config"


class AuthRejected(PluginError):
    """The vendor refused the credentials (HTTP 401, `invalid_auth`, a refused client)."""

    kind = "auth"


class MissingPermission(PluginError):
    """The credentials are valid but lack a scope, a role or a plan (HTTP 403).

    `scopes`: what the vendor says is needed (GitHub `X-Accepted-OAuth-Scopes`, Slack
    `needed`); `plan`: the plan or licence the vendor says is required, when it says.
    """

    kind = "permission"

    def __init__(self, message: str, *, scopes: tuple[str, ...] = (), plan: str | None = None,
                 status: int | None = None, url: str | None = None) -> None:
        super().__init__(message, status=status, url=url)
        self.scopes = scopes
        self.plan = plan


class NotFound(PluginError):
    """The organisation, tenant or endpoint does not exist, or the token cannot see it."""

    kind = "not_found"


class RequestRefused(PluginError):
    """The vendor refused the request as sent (another 4xx: a parameter it does not accept,
    an expired page token). `vendor_message` says why in the vendor's words."""

    kind = "refused"


class Throttled(PluginError):
    """The vendor kept throttling past the retry budget. `retry_after`: the wait it asked
    for last, in seconds, when it said.

    A plugin may also raise it for throttling a vendor reports in a body (Slack's
    `ratelimited` in an HTTP 200): inside a request's `check`, it is retried like a 429.
    """

    kind = "throttled"

    def __init__(self, message: str, *, retry_after: float | None = None,
                 status: int | None = None, url: str | None = None) -> None:
        super().__init__(message, status=status, url=url)
        self.retry_after = retry_after


class VendorUnavailable(PluginError):
    """The vendor answered with server errors (5xx) past the retry budget, or an error
    status that fits no other class. Raised by a request's `check` (a server error a vendor
    reports in an HTTP 200), it is retried like a 503."""

    kind = "unavailable"


class TimedOut(PluginError):
    """The vendor did not answer in time, past the retry budget."""

    kind = "timeout"


class ConnectionFailed(PluginError):
    """The vendor could not be reached (DNS, refused, reset, TLS), past the retry budget."""

    kind = "connection"


class BadResponse(PluginError):
    """The answer is not what the vendor documents: not JSON, HTML with status 200, JSON cut
    short, a missing field, a redirect to another host."""

    kind = "bad_response"


class RepeatedPage(BadResponse):
    """Pagination asked for a page it had already read (the same URL or cursor twice):
    stopped rather than loop forever."""

    kind = "repeated_page"


class Cancelled(PluginError):
    """The user cancelled; nothing the run fetched is kept."""

    kind = "cancelled"


class ContractViolation(PluginError):
    """The plugin broke the contract: a malformed record, a naive datetime, an account listed
    twice, metadata that does not describe it. A bug in the plugin, told in words."""

    kind = "contract"


class PluginCrashed(PluginError):
    """The plugin raised something that is not a PluginError (a bug in it). `details` holds
    the redacted traceback for a crash log; the message names the exception only."""

    kind = "crashed"

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.details = details
