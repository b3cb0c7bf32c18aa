"""Plugin discovery through the `stackadmin.plugins` entry points of installed
distributions — real `.dist-info` folders on sys.path — with every broken plugin listed and
the others working."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stackadmin.plugins.builtin.github import GitHubPlugin
from stackadmin.plugins.registry import (
    BrokenPluginError,
    Registry,
    UnknownPlugin,
    load_registry,
)
from stackadmin.plugins.testing import write_distribution

BUILT_IN = ["atlassian", "github", "github-copilot", "google-workspace", "microsoft365", "okta",
            "scim", "slack", "zoom"]

GOOD = '''
from stackadmin.plugins.api import CheckResult, Option, Plugin, Secret

class GoodPlugin(Plugin):
    id = "good-one"
    name = "Good One"
    options = (Option("workspace", "Workspace", required=True),)
    secret = Secret("API key")
    reports_activity = True

    def check(self, ctx):
        return CheckResult("fine")

    def fetch(self, ctx):
        yield from ()

class FutureProof(GoodPlugin):
    id = "from-the-future"
    contract_version = 7

class BadOptions(GoodPlugin):
    id = "bad-options"
    options = ("workspace",)

class Renamed(GoodPlugin):
    id = "renamed"

class Duplicate(GoodPlugin):
    id = "github"

def helper():
    return 1
'''

ENTRY_POINTS = {
    "good-one": "acme_plugins.good:GoodPlugin",
    "from-the-future": "acme_plugins.good:FutureProof",
    "bad-options": "acme_plugins.good:BadOptions",
    "not-this-name": "acme_plugins.good:Renamed",
    "github": "acme_plugins.good:Duplicate",
    "not-a-class": "acme_plugins.good:helper",
    "missing-module": "acme_plugins.gone:Plugin",
    "explodes": "acme_plugins.explodes:Plugin",
    "exits": "acme_plugins.exits:Plugin",
}


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """acme-plugins 1.0, installed (a .dist-info folder on sys.path) for this test only."""
    site = tmp_path / "site"
    write_distribution(site, "acme-plugins", ENTRY_POINTS, modules={
        "acme_plugins.good": GOOD,
        "acme_plugins.explodes": "raise RuntimeError('the vendor SDK is not configured')\n",
        "acme_plugins.exits": "import sys\nsys.exit(3)\n",
    })
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield site
    for name in [m for m in sys.modules if m.startswith("acme_plugins")]:
        del sys.modules[name]


def test_the_built_in_plugins_are_found_through_their_entry_points() -> None:
    registry = load_registry()
    assert [p.id for p in registry.plugins()] == BUILT_IN
    assert registry.broken() == []
    github = registry.get("github")
    assert github.plugin_class is GitHubPlugin
    assert github.distribution is not None and github.distribution.startswith("stackadmin ")
    assert [o.name for o in github.options] == ["org", "base_url"]


def test_an_installed_plugin_is_found_and_broken_ones_are_listed_with_reasons(
        installed: Path) -> None:
    registry = Registry()
    assert [p.id for p in registry.plugins()] == sorted([*BUILT_IN, "good-one"])
    good = registry.get("good-one")
    assert (good.name, good.distribution, good.reports_activity) == ("Good One",
                                                                     "acme-plugins 1.0", True)
    assert registry.get("github").plugin_class is GitHubPlugin  # a built-in keeps its id
    reasons = {b.id: b.reason for b in registry.broken()}
    assert reasons["from-the-future"] == ("it is written for plugin contract 7; this "
                                          "stackadmin speaks 1")
    assert reasons["bad-options"] == "options must be a tuple of Option"
    assert reasons["not-this-name"] == ("it is registered as 'not-this-name' but its id is "
                                        "'renamed'")
    assert reasons["github"] == "the id 'github' is already provided by stackadmin 0.1.0"
    assert "is not a subclass of stackadmin.plugins.api.Plugin" in reasons["not-a-class"]
    assert reasons["missing-module"] == ("it could not be imported (ModuleNotFoundError: No "
                                         "module named 'acme_plugins.gone')")
    assert reasons["explodes"] == ("it could not be imported (RuntimeError: the vendor SDK "
                                   "is not configured)")
    assert reasons["exits"] == "it could not be imported (SystemExit: 3)"
    assert all(b.distribution == "acme-plugins 1.0" for b in registry.broken())


def test_asking_for_a_broken_or_unknown_plugin_says_why(installed: Path) -> None:
    registry = Registry()
    with pytest.raises(BrokenPluginError, match="'explodes' is installed but cannot be used: "
                                                "it could not be imported"):
        registry.get("explodes")
    with pytest.raises(UnknownPlugin, match="no plugin 'notion' is installed \\(installed: "
                                            "atlassian, github, github-copilot, good-one, "
                                            "google-workspace, microsoft365, okta, scim, slack, "
                                            "zoom\\)"):
        registry.get("notion")


WATCHED = '''
from stackadmin.plugins.api import Plugin

class Watched(Plugin):
    id = "watched"
    name = "Watched"

    def __init__(self):
        raise AssertionError("a plugin was made while listing")

    def check(self, ctx):
        raise AssertionError("check ran while listing")

    def fetch(self, ctx):
        raise AssertionError("fetch ran while listing")
'''


def test_listing_plugins_runs_none_of_them(installed: Path) -> None:
    """Metadata is read from class attributes: no plugin is made, checked or fetched."""
    write_distribution(installed, "acme-plugins", {
        **ENTRY_POINTS, "watched": "acme_plugins.watched:Watched"},
        modules={"acme_plugins.watched": WATCHED})
    importlib.invalidate_caches()
    registry = Registry()
    assert registry.get("watched").name == "Watched"
    assert "watched" in [p.id for p in registry.plugins()]


def test_the_registry_loads_lazily(installed: Path) -> None:
    registry = Registry()
    assert "acme_plugins.good" not in sys.modules
    registry.plugins()
    assert "acme_plugins.good" in sys.modules
