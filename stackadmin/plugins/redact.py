"""Keeping secrets out of text: every message, log line and error a plugin run produces
passes through a Redactor that knows the run's secrets (and the forms they travel in)."""

from __future__ import annotations

import base64
import logging
import re
import threading
import weakref
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[redacted]"
# Credentials that travel in well-known shapes are masked even when the value itself was
# never registered (a token the plugin obtained and forgot to register, a header echoed by
# a vendor in an error body).
_SHAPES = re.compile(
    r"\b(bearer|basic|ssws)\s+(?=\S*[0-9._~+/=\-])[A-Za-z0-9._~+/=\-]{12,}"
    r"|\b(authorization|x-api-key|api[_-]?key|access_token|client_secret|password)"
    r"(\"?\s*[:=]\s*\"?)(?!\[redacted\])(?:(?:bearer|basic|ssws)\s+)?[^\s\"',;&()\[\]]+",
    re.IGNORECASE,
)


def _mask_shape(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{match.group(1)} {MASK}"
    return f"{match.group(2)}{match.group(3)}{MASK}"


class Redactor:
    """Replaces each registered secret, and its URL-encoded and base64 forms, with a mask."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._needles: list[str] = []
        for secret in secrets:
            if secret:
                self.add(secret)

    def add(self, secret: str) -> None:
        if not secret:
            return
        forms = {secret, quote(secret, safe=""), quote_plus(secret),
                 base64.b64encode(secret.encode()).decode()}
        for form in forms:
            if form and form not in self._needles:
                self._needles.append(form)
        # Longest first, so a secret's encoded form is not half-masked by a shorter one.
        self._needles.sort(key=len, reverse=True)

    def add_basic(self, user: str, password: str) -> None:
        """An HTTP Basic pair: the password and the header's base64 of `user:password`."""
        self.add(password)
        self.add(base64.b64encode(f"{user}:{password}".encode()).decode())

    def __call__(self, text: str) -> str:
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, MASK)
        return _SHAPES.sub(_mask_shape, text)

    def secrets(self) -> tuple[str, ...]:
        return tuple(self._needles)


class _LibraryFilter(logging.Filter):
    """On httpx's and httpcore's loggers: their lines (request URLs, response headers) pass
    through every live run's redactor before any handler sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()
        self.lock = threading.Lock()  # runs add redactors from worker threads

    def filter(self, record: logging.LogRecord) -> bool:
        with self.lock:
            redactors = list(self.redactors)
        if redactors:
            text = record.getMessage()
            for redactor in redactors:
                text = redactor(text)
            record.msg, record.args = text, None
        return True


_LIBRARY_FILTER = _LibraryFilter()
# A logger's filters see only its own records, not its children's: each one is named.
_LIBRARY_LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11",
                    "httpcore.http2", "httpcore.proxy")


def watch_library_logs(redactor: Redactor) -> None:
    """Redacts the HTTP libraries' own log lines with `redactor` while it is alive."""
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _LIBRARY_FILTER not in logger.filters:
            logger.addFilter(_LIBRARY_FILTER)
    with _LIBRARY_FILTER.lock:
        _LIBRARY_FILTER.redactors.add(redactor)


class RedactingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A plugin's logger: its messages are formatted, then redacted, before any handler sees
    them (so `log.info("got %s", token)` logs the mask)."""

    def __init__(self, logger: logging.Logger, redactor: Redactor) -> None:
        super().__init__(logger, {})
        self.redactor = redactor

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        try:
            text = str(msg) % args if args else str(msg)
        except (TypeError, ValueError):
            text = " ".join(str(part) for part in (msg, *args))
        kwargs.pop("exc_info", None)  # a traceback's locals and args may hold the secret
        kwargs.pop("stack_info", None)
        self.logger.log(level, self.redactor(text), **kwargs)
