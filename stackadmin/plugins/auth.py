"""How a plugin's requests carry its credential: a bearer token, a header of the vendor's
own (`SSWS`), HTTP Basic, or an OAuth token fetched with client credentials and renewed
when it expires. Every value an Auth sends is registered with the run's redactor."""

from __future__ import annotations

import abc
import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stackadmin.plugins.errors import AuthRejected, BadResponse, ConfigError, PluginError
from stackadmin.plugins.values import dig

if TYPE_CHECKING:
    from stackadmin.plugins.http import VendorHttp
    from stackadmin.plugins.redact import Redactor


class Auth(abc.ABC):
    """Adds the credential to each request. `renew` is asked after an HTTP 401: True when
    a fresh credential may succeed (an expired OAuth token), so the request is sent once
    more; False (the default) makes the 401 final."""

    @abc.abstractmethod
    def headers(self, http: VendorHttp) -> Mapping[str, str]: ...

    def renew(self) -> bool:
        return False

    def register(self, redactor: Redactor) -> None:  # noqa: B027 - optional hook
        """Tells the redactor every form of the credential this Auth sends."""


class HeaderToken(Auth):
    """A whole header value: `HeaderToken("Authorization", "SSWS " + token)` (Okta), or an
    API-key header of the vendor's own."""

    def __init__(self, header: str, value: str, *, secret: str | None = None) -> None:
        if not _sendable(value):
            # httpx would fail on it as a connection error (retried for half a minute) or
            # as a crash of the plugin: say what is wrong, without quoting it.
            raise ConfigError("the stored secret cannot be sent to the vendor: it holds a "
                              "line break or a character other than plain ASCII (pasted "
                              "with it?): store it again with `stackadmin integrations edit "
                              "NAME --secret-stdin`, or in the app's password field")
        self._header = header
        self._value = value
        self._secret = secret

    def headers(self, http: VendorHttp) -> Mapping[str, str]:
        return {self._header: self._value}

    def register(self, redactor: Redactor) -> None:
        redactor.add(self._value)
        if self._secret:
            redactor.add(self._secret)


def _sendable(value: str) -> bool:
    """Whether an HTTP header can carry the value: printable ASCII, spaces and tabs."""
    return value.isascii() and all(c == "\t" or " " <= c <= "~" for c in value)


class BearerToken(HeaderToken):
    """`Authorization: Bearer <token>` (GitHub, SCIM, Slack, Atlassian)."""

    def __init__(self, token: str, *, scheme: str = "Bearer") -> None:
        super().__init__("Authorization", f"{scheme} {token}", secret=token)


class BasicAuth(HeaderToken):
    """HTTP Basic (Zoom's token endpoint takes the client id and secret this way)."""

    def __init__(self, user: str, password: str) -> None:
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        super().__init__("Authorization", f"Basic {encoded}", secret=password)
        self._user = user
        self._password = password

    def register(self, redactor: Redactor) -> None:
        super().register(redactor)
        redactor.add_basic(self._user, self._password)


class RenewingToken(Auth):
    """A bearer token obtained from a token endpoint, cached, and fetched again shortly
    before it expires or after a 401. Subclasses say how to get one (`fetch_token`)."""

    leeway = 60.0  # seconds before expiry at which the token is renewed

    def __init__(self) -> None:
        self._token: str | None = None
        self._expires_at: float | None = None
        self._redactor: Redactor | None = None
        self.fetched = 0  # how many tokens were obtained (tests, diagnostics)

    @abc.abstractmethod
    def fetch_token(self, http: VendorHttp) -> tuple[str, float | None]:
        """A new access token and its lifetime in seconds (None: the vendor did not say)."""

    def headers(self, http: VendorHttp) -> Mapping[str, str]:
        now = http.monotonic()
        if self._token is None or (self._expires_at is not None
                                   and now >= self._expires_at - self.leeway):
            token, lifetime = self.fetch_token(http)
            if self._redactor is not None:
                self._redactor.add(token)
            self._token = token
            self._expires_at = None if lifetime is None else http.monotonic() + lifetime
            self.fetched += 1
        return {"Authorization": f"Bearer {self._token}"}

    def renew(self) -> bool:
        self._token = None
        return True

    def register(self, redactor: Redactor) -> None:
        self._redactor = redactor
        if self._token:
            redactor.add(self._token)


class OAuthClientCredentials(RenewingToken):
    """OAuth 2.0 client credentials (RFC 6749 §4.4): a form POST to `token_url`.

    `client_auth="body"` sends the client id and secret as form fields (Microsoft), `"basic"`
    as HTTP Basic (Zoom). `form` adds fields (`grant_type` defaults to `client_credentials`;
    `scope`...), `query` adds query parameters (Zoom's `grant_type=account_credentials&
    account_id=...`). The answer's `access_token` and `expires_in` are used."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, *,
                 form: Mapping[str, str] | None = None, query: Mapping[str, str] | None = None,
                 client_auth: str = "body") -> None:
        super().__init__()
        if client_auth not in ("body", "basic"):
            raise ValueError("client_auth is 'body' or 'basic'")
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._form = dict(form or {})
        self._query = dict(query or {})
        self._client_auth = client_auth

    def register(self, redactor: Redactor) -> None:
        super().register(redactor)
        redactor.add_basic(self._client_id, self._client_secret)

    def fetch_token(self, http: VendorHttp) -> tuple[str, float | None]:
        form: dict[str, str] = {} if self._query.get("grant_type") else {
            "grant_type": "client_credentials"}
        form.update(self._form)
        auth: Auth | None = None
        if self._client_auth == "body":
            form.update(client_id=self._client_id, client_secret=self._client_secret)
        else:
            auth = BasicAuth(self._client_id, self._client_secret)
        try:
            body = http.post_form(self.token_url, form, params=self._query, auth=auth,
                                  what="the token endpoint")
        except PluginError as exc:
            if exc.status in (400, 401):
                raise AuthRejected(
                    "the token endpoint refused the client credentials "
                    f"({_oauth_error(exc)})", status=exc.status, url=exc.url) from None
            raise
        return parse_token_answer(body, self.token_url)


def parse_token_answer(body: Any, url: str) -> tuple[str, float | None]:
    """`access_token` and `expires_in` from a token endpoint's JSON answer."""
    token = dig(body, "access_token")
    if not isinstance(token, str) or not token:
        raise BadResponse("the token endpoint's answer has no access_token", url=url)
    lifetime = dig(body, "expires_in")
    try:
        seconds = None if lifetime is None else float(lifetime)
    except (TypeError, ValueError):
        seconds = None
    return token, seconds


def _oauth_error(exc: PluginError) -> str:
    return exc.vendor_message or f"HTTP {exc.status}"
