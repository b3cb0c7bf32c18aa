"""`google-workspace`: the users of a Google Workspace, read from the Admin SDK Directory API
with a service account that has domain-wide delegation, as a directory source.

Endpoints: `GET {base_url}/admin/directory/v1/users?customer=...&maxResults=500` (`pageToken` /
`nextPageToken`), once for the users and once with `showDeleted=true` for the users deleted
in the last 20 days (their `deletionTime` is the end date a directory needs). The token comes
from `token_url` by the JWT bearer grant (RFC 7523): a JWT signed with the service account's
key by google-auth, impersonating `admin_email`, scope `admin.directory.user.readonly`.

`lastLoginTime` `1970-01-01T00:00:00.000Z` means never signed in. `isAdmin` is a super
administrator (owner), `isDelegatedAdmin` an administrator with a custom role; `suspended` and
`archived` users are suspended seats (an archived user holds an Archived User licence).
Aliases are addresses of their user, never accounts of their own. The Directory API gives
no suspension time: a suspended user's end date is unknown until they are deleted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from stackadmin.plugins.api import (
    AccountRecord,
    AccountStatus,
    Activity,
    AuthRejected,
    CheckResult,
    ConfigError,
    Cursor,
    MissingPermission,
    Option,
    OptionKind,
    Plugin,
    PluginContext,
    PluginError,
    Record,
    RenewingToken,
    Role,
    Secret,
    VendorHttp,
    email_or_none,
    is_never,
    join_url,
    parse_timestamp,
    parse_token_answer,
)
from stackadmin.plugins.builtin._common import flag, listed, need_id, obj, text

if TYPE_CHECKING:
    from stackadmin.plugins.redact import Redactor

API_ROOT = "https://admin.googleapis.com"
TOKEN_URL = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PAGE_SIZE = 500  # users.list's documented maximum
TOKEN_LIFETIME = 3600  # the longest Google grants a signed assertion
_KEY_FIELDS = ("client_email", "private_key")
T = TypeVar("T")


class ServiceAccountGrant(RenewingToken):
    """A Google service account's access token, obtained with a JWT it signs with its own key
    (google-auth does the signing) and impersonating `subject` (domain-wide delegation).
    Fetched again before it expires, like any RenewingToken."""

    def __init__(self, key: Mapping[str, Any], *, subject: str, token_url: str,
                 scopes: tuple[str, ...]) -> None:
        super().__init__()
        # Imported here: google-auth costs ~0.2 s to import, which listing plugins need not pay.
        from google.auth import crypt

        try:
            # google-auth's signatures are untyped.
            self._signer = crypt.RSASigner.from_service_account_info(  # type: ignore[no-untyped-call]
                dict(key))
        except (ValueError, TypeError, KeyError):
            # The library's words may quote the key; these do not.
            raise ConfigError("the service-account key's private_key is not a usable RSA "
                              "private key: paste the whole JSON key file again") from None
        self._issuer = str(key["client_email"])
        self._client_id = str(key.get("client_id") or "")
        self._private_key = str(key["private_key"])
        self.subject = subject
        self.token_url = token_url
        self.scopes = scopes

    def register(self, redactor: Redactor) -> None:
        super().register(redactor)
        redactor.add(self._private_key)

    def fetch_token(self, http: VendorHttp) -> tuple[str, float | None]:
        from google.auth import jwt

        issued = int(http.now().timestamp())
        claims = {"iss": self._issuer, "sub": self.subject, "scope": " ".join(self.scopes),
                  "aud": self.token_url, "iat": issued, "exp": issued + TOKEN_LIFETIME}
        signed: bytes = jwt.encode(self._signer, claims)  # type: ignore[no-untyped-call]
        assertion = signed.decode("ascii")
        if self._redactor is not None:
            self._redactor.add(assertion)
        try:
            body = http.post_form(self.token_url, {"grant_type": JWT_GRANT,
                                                   "assertion": assertion},
                                  auth=None, what="Google's token endpoint")
        except PluginError as exc:
            if exc.status in (400, 401, 403):
                raise AuthRejected(self._refusal(exc), status=exc.status, url=exc.url) from None
            raise
        return parse_token_answer(body, self.token_url)

    def _refusal(self, exc: PluginError) -> str:
        said = exc.vendor_message or f"HTTP {exc.status}"
        lowered = said.lower()
        if "unauthorized" in lowered:
            return (f"Google refused the service account {self._issuer} ({said}): grant its "
                    f"client id {self._client_id or '(see the key file)'} domain-wide "
                    f"delegation with the scope {' '.join(self.scopes)} (Admin console > "
                    "Security > Access and data control > API controls)")
        if "invalid email or user id" in lowered:
            return (f"Google does not know the admin_email '{self.subject}' ({said}): give "
                    "the address of an administrator of this Google Workspace")
        return f"Google refused the service account {self._issuer}'s token request ({said})"


def read_key(secret: str) -> dict[str, Any]:
    """The service-account key file's JSON, or a ConfigError saying what is wrong with it
    (never quoting it)."""
    try:
        key = json.loads(secret)
    except ValueError:
        raise ConfigError("the secret is not a Google service-account key: it is not JSON "
                          "(paste the whole key file from the Google Cloud console)") from None
    if not isinstance(key, dict):
        raise ConfigError("the secret is not a Google service-account key (a JSON object)")
    kind = key.get("type")
    if kind != "service_account":
        raise ConfigError(f"the key is of type '{kind if isinstance(kind, str) else '?'}', "
                          "not a service-account key (type service_account)")
    missing = [name for name in _KEY_FIELDS if not isinstance(key.get(name), str)
               or not key[name].strip()]
    if missing:
        raise ConfigError(f"the service-account key has no {' or '.join(missing)}")
    return key


class GoogleWorkspacePlugin(Plugin):
    id = "google-workspace"
    name = "Google Workspace"
    description = ("Users of a Google Workspace: super and delegated administrators, "
                   "suspended, archived and deleted users, last sign-in, department, title "
                   "and manager. Can be the company directory.")
    options = (
        Option("customer", "Customer", default="my_customer",
               help="the customer id (C0...), or my_customer for the admin's own"),
        Option("admin_email", "Administrator to act as", required=True,
               help="an administrator who can read users; the service account impersonates "
                    "them (domain-wide delegation)"),
        Option("base_url", "API root", default=API_ROOT, kind=OptionKind.URL,
               help="https://admin.googleapis.com"),
        Option("token_url", "Token endpoint", default=TOKEN_URL, kind=OptionKind.URL,
               help="https://oauth2.googleapis.com/token"),
    )
    secret = Secret(f"service-account JSON key with domain-wide delegation, scope {SCOPE}",
                    help="the whole key file downloaded from the Google Cloud console",
                    multiline=True)
    reports_activity = True
    directory_capable = True

    def check(self, ctx: PluginContext) -> CheckResult:
        body = _read(lambda: _client(ctx).get_json(
            _users_url(ctx), params={"customer": ctx.option("customer"), "maxResults": 1},
            what=_name(ctx)), ctx)
        users = listed("users")(body)
        domain = ""
        if users:
            address = email_or_none(obj(users[0]).get("primaryEmail"))
            domain = f" ({address.split('@')[1]})" if address else ""
        return CheckResult(f"service account accepted; acting as {ctx.option('admin_email')} "
                           f"it can read the users of {_name(ctx)}{domain}")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        api = _client(ctx)
        seen: set[str] = set()
        params = {"customer": ctx.option("customer"), "maxResults": PAGE_SIZE}
        users = _read(lambda: list(api.items(
            _users_url(ctx), Cursor("pageToken", "nextPageToken"), params=params,
            items=listed("users"), what=f"the users of {_name(ctx)}")), ctx)
        for user in users:
            record = _account(user, deleted=False)
            # A page token listing can repeat a user when the list changes under it.
            if record.external_id not in seen:
                seen.add(record.external_id)
                yield record
        for user in api.items(_users_url(ctx), Cursor("pageToken", "nextPageToken"),
                              params={**params, "showDeleted": "true"}, items=listed("users"),
                              what=f"the deleted users of {_name(ctx)}"):
            record = _account(user, deleted=True)
            # Deleted and restored during the read: the live user stands.
            if record.external_id not in seen:
                seen.add(record.external_id)
                yield record


def _client(ctx: PluginContext) -> VendorHttp:
    key = read_key(ctx.reveal_secret())
    grant = ServiceAccountGrant(key, subject=ctx.option("admin_email"),
                                token_url=ctx.option("token_url"), scopes=(SCOPE,))
    return ctx.http.bind(auth=grant)


def _users_url(ctx: PluginContext) -> str:
    return join_url(ctx.option("base_url"), "/admin/directory/v1/users")


def _name(ctx: PluginContext) -> str:
    customer = ctx.option("customer")
    return ("the Google Workspace" if customer == "my_customer"
            else f"the Google Workspace customer {customer}")


def _read(work: Callable[[], T], ctx: PluginContext) -> T:
    """`work()`, with a 403 told as what it means here: the impersonated user may not read
    users."""
    try:
        return work()
    except MissingPermission as exc:
        raise MissingPermission(
            f"{ctx.option('admin_email')} may not read the users of {_name(ctx)}: impersonate "
            f"an administrator with the Users > Read privilege ({exc.message})",
            scopes=exc.scopes, plan=exc.plan, status=exc.status, url=exc.url) from None


def _primary(entries: Any) -> dict[str, Any]:
    """The primary entry of a Directory list (organizations), else the first."""
    if type(entries) is not list:
        return {}
    objects = [e for e in entries if type(e) is dict]
    return next((e for e in objects if e.get("primary") is True), objects[0] if objects else {})


def _manager(relations: Any) -> str | None:
    if type(relations) is not list:
        return None
    for relation in relations:
        if type(relation) is dict and relation.get("type") == "manager":
            return text(relation.get("value"))
    return None


def _account(user: Any, *, deleted: bool) -> AccountRecord:
    user_id = need_id(user, "id", "a user in Google's users.list")
    if flag(user.get("isAdmin")):
        vendor_role, role = "super_admin", Role.OWNER
    elif flag(user.get("isDelegatedAdmin")):
        vendor_role, role = "delegated_admin", Role.ADMIN
    else:
        vendor_role, role = "user", Role.MEMBER
    archived = flag(user.get("archived"))
    if deleted:
        status = AccountStatus.DEPROVISIONED
    elif archived or flag(user.get("suspended")):
        status = AccountStatus.SUSPENDED
    else:
        status = AccountStatus.ACTIVE
    last = parse_timestamp(user.get("lastLoginTime"), field="lastLoginTime")
    if last is None:
        activity = Activity.NO_DATE
    elif is_never(last):
        activity, last = Activity.NEVER, None
    else:
        activity = Activity.REPORTED
    removed = parse_timestamp(user.get("deletionTime"), field="deletionTime") if deleted \
        else None
    organization = _primary(user.get("organizations"))
    name = obj(user.get("name"))
    return AccountRecord(
        external_id=user_id, email=email_or_none(user.get("primaryEmail")),
        display_name=text(name.get("fullName")) or " ".join(
            p for p in (text(name.get("givenName")), text(name.get("familyName"))) if p) or None,
        username=text(user.get("primaryEmail")), vendor_role=vendor_role, role=role,
        status=status, license_tier="Archived User" if archived else None,
        first_seen=parse_timestamp(user.get("creationTime"), field="creationTime"),
        activity=activity, last_activity=last, department=text(organization.get("department")),
        title=text(organization.get("title")), cost_center=text(organization.get("costCenter")),
        manager=_manager(user.get("relations")),
        end_date=removed.date() if removed is not None else None, raw=user)
