"""What the GitHub plugins share: their options, the API's headers, paths under an
organisation, and reading a GitHub user object."""

from __future__ import annotations

from typing import Any

from stackadmin.plugins.api import (
    AccountKind,
    BadResponse,
    BearerToken,
    Option,
    OptionKind,
    PluginContext,
    VendorHttp,
    join_url,
    segment,
)

API_ROOT = "https://api.github.com"
# The REST API version the field names were read from (github/rest-api-description).
HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
PER_PAGE = 100  # the most GitHub serves a page

ORG = Option("org", "Organisation", required=True,
             help="the organisation's login, as in github.com/ORG")
BASE_URL = Option("base_url", "API root", default=API_ROOT, kind=OptionKind.URL,
                  help="https://api.github.com; GitHub Enterprise Server: https://HOST/api/v3")


def client(ctx: PluginContext) -> VendorHttp:
    return ctx.http.bind(auth=BearerToken(ctx.reveal_secret()), headers=HEADERS)


def org_url(ctx: PluginContext, path: str = "") -> str:
    """`{base_url}/orgs/{org}{path}`, the organisation quoted as one path segment."""
    return join_url(ctx.option("base_url"), f"/orgs/{segment(ctx.option('org'))}{path}")


def org_name(ctx: PluginContext) -> str:
    return f"the organisation '{ctx.option('org')}'"


def user_id(user: Any, where: str) -> str:
    """A GitHub user's immutable numeric id (logins can be renamed)."""
    if not isinstance(user, dict) or user.get("id") is None:
        raise BadResponse(f"{where} has no user id")
    return str(user["id"])


def user_kind(user: dict[str, Any]) -> AccountKind:
    return AccountKind.BOT if user.get("type") == "Bot" else AccountKind.USER
