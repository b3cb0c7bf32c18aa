"""`stackadmin plugins list [--json]`: the installed plugins with their options and secret,
and the broken ones with the reason, as a separate process sees them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from stackadmin.plugins.testing import write_distribution
from tests.cli.conftest import Run

BUILT_IN = ["atlassian", "github", "github-copilot", "google-workspace", "microsoft365", "okta",
            "scim", "slack", "zoom"]
BROKEN = "raise ImportError('needs the acme SDK, which is not installed')\n"


def test_plugins_list_json_has_the_contract_keys(run: Run) -> None:
    result = run("plugins", "list", "--json", db=None)
    assert result.code == 0, result.err
    plugins = json.loads(result.out)
    assert [p["id"] for p in plugins] == BUILT_IN
    by_id = {p["id"]: p for p in plugins}
    github = by_id["github"]
    assert github["name"] == "GitHub" and github["status"] == "ok" and github["error"] is None
    assert [{k: o[k] for k in ("name", "required", "default")} for o in github["options"]] == [
        {"name": "org", "required": True, "default": None},
        {"name": "base_url", "required": False, "default": "https://api.github.com"}]
    assert by_id["github-copilot"]["secret"].startswith(
        "personal access token, scope manage_billing:copilot")
    assert by_id["github-copilot"]["reports_activity"] is True
    assert [{k: o[k] for k in ("name", "required", "default")}
            for o in by_id["scim"]["options"]] == [
        {"name": "base_url", "required": True, "default": None}]
    assert by_id["scim"]["reports_activity"] is False


def test_the_vendor_plugins_options_are_the_documented_contract(run: Run) -> None:
    result = run("plugins", "list", "--json", db=None)
    assert result.code == 0, result.err
    options = {p["id"]: [(o["name"], o["required"], o["default"]) for o in p["options"]]
               for p in json.loads(result.out)}
    assert options["slack"] == [("base_url", False, "https://slack.com/api")]
    assert options["google-workspace"] == [
        ("customer", False, "my_customer"), ("admin_email", True, None),
        ("base_url", False, "https://admin.googleapis.com"),
        ("token_url", False, "https://oauth2.googleapis.com/token")]
    assert options["microsoft365"] == [
        ("tenant_id", True, None), ("client_id", True, None), ("sku", False, None),
        ("base_url", False, "https://graph.microsoft.com"), ("token_url", False, None)]
    assert options["okta"] == [("base_url", True, None), ("app_id", False, None)]
    assert options["atlassian"] == [("org_id", True, None), ("product", False, None),
                                    ("base_url", False, "https://api.atlassian.com")]
    assert options["zoom"] == [("account_id", True, None), ("client_id", True, None),
                               ("base_url", False, "https://api.zoom.us"),
                               ("token_url", False, "https://zoom.us/oauth/token")]
    directories = {p["id"] for p in json.loads(result.out) if p["directory_capable"]}
    assert directories == {"google-workspace", "microsoft365", "okta"}


def test_a_broken_plugin_is_listed_with_its_reason_and_the_rest_still_work(
        run: Run, tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_distribution(site, "acme-stackadmin", {"acme": "acme_stackadmin.plugin:Acme"},
                       modules={"acme_stackadmin.plugin": BROKEN})
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    result = run("plugins", "list", "--json", db=None, env=env)
    assert result.code == 0, result.err
    plugins = json.loads(result.out)
    assert [p["id"] for p in plugins] == [*BUILT_IN, "acme"]
    acme = plugins[-1]
    assert acme["status"] == "broken" and acme["distribution"] == "acme-stackadmin 1.0"
    assert acme["error"] == ("it could not be imported (ImportError: needs the acme SDK, "
                             "which is not installed)")
    assert set(acme) >= {"id", "name", "options", "secret"}
    text = run("plugins", "list", db=None, env=env)
    assert text.code == 0
    assert "github-copilot  (GitHub Copilot)" in text.out
    assert "  options:  org (required), base_url (default https://api.github.com)" in text.out
    assert ("acme  BROKEN (acme-stackadmin 1.0): it could not be imported (ImportError: "
            "needs the acme SDK, which is not installed)") in text.out
    assert "Traceback" not in text.out + text.err


def test_plugins_needs_an_action(run: Run) -> None:
    assert run("plugins", db=None).code == 2
