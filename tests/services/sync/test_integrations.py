"""Adding, editing, testing and removing integrations: options checked against the plugin's
declaration, the secret in the keyring (and nowhere else), removed with the integration."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stackadmin.errors import NotFoundError, UserError, ValidationError
from stackadmin.plugins.api import AuthRejected
from stackadmin.plugins.registry import BrokenPluginError, Registry, UnknownPlugin
from stackadmin.plugins.testing import Reply
from stackadmin.services.inventory import tools
from stackadmin.services.sync import integrations
from stackadmin.store.models import Integration, Tool
from tests.services.sync.conftest import BILLING, SECRET, Kit, dump, seat


def test_adding_stores_the_options_and_the_secret_in_the_keyring_only(kit: Kit) -> None:
    row = kit.add()
    assert (row.name, row.plugin_id, row.tool, row.schedule, row.brake_pct) == (
        "Copilot acme", "github-copilot", "GitHub Copilot", "daily", 20)
    assert row.options == {"org": "acme", "base_url": kit.vendor.url}
    assert list(kit.keyring.store.values()) == [SECRET]
    with kit.ctx.read() as session:
        stored = session.scalars(select(Integration)).one()
        assert stored.secret_ref and stored.secret_ref in str(list(kit.keyring.store))
    assert SECRET not in repr(dump(kit.ctx, ("integration", "audit_event", "tool")))
    assert kit.vendor.requests == []  # adding does not call the vendor


def test_options_are_checked_against_the_plugins_declaration(kit: Kit) -> None:
    with pytest.raises(ValidationError) as caught:
        integrations.add_integration(
            kit.ctx, "github-copilot", "x", "Tool",
            {"base_url": "http://vendor.example.com", "colour": "red", "interval": "often"},
            SECRET, secrets=kit.secrets)
    problems = " | ".join(caught.value.problems)
    for words in ("plain HTTP", "'colour' is not one this plugin takes",
                  "'org' (Organisation) is required", "interval 'often'"):
        assert words in problems
    assert dump(kit.ctx, ("integration", "tool")) == {"integration": [], "tool": []}
    assert kit.keyring.store == {}


def test_a_secret_is_required_and_an_unknown_plugin_named(kit: Kit) -> None:
    with pytest.raises(ValidationError, match="needs its secret"):
        integrations.add_integration(kit.ctx, "github", "x", "GitHub", {"org": "acme"}, None,
                                     secrets=kit.secrets)
    with pytest.raises(UnknownPlugin, match=r"installed: atlassian, github, .*, slack, zoom"):
        integrations.add_integration(kit.ctx, "slackk", "x", "Slack", {}, SECRET,
                                     secrets=kit.secrets)


def test_names_are_unique_in_any_case_and_a_tool_may_have_several(kit: Kit) -> None:
    kit.add()
    with pytest.raises(ValidationError, match="exists already"):
        kit.add(name="COPILOT ACME")
    kit.add(name="Copilot test token")
    with kit.ctx.read() as session:
        assert session.scalars(select(Tool.name)).all() == ["GitHub Copilot"]


def test_the_tool_is_found_in_any_case_or_added(kit: Kit) -> None:
    existing = tools.create_tool(kit.ctx, name="GitHub Copilot")
    assert kit.add(tool="github copilot").tool_id == existing.id
    assert kit.add(name="other", tool="Copilot (lab)").tool == "Copilot (lab)"


def test_editing_changes_options_settings_and_the_secret(kit: Kit) -> None:
    kit.add()
    row = integrations.edit_integration(
        kit.ctx, "copilot acme", new_name="Copilot", given={"org": "beta", "interval": "6h",
                                                            "brake": "35"},
        secret="new-token", secrets=kit.secrets)
    assert (row.name, row.options["org"], row.schedule, row.brake_pct) == (
        "Copilot", "beta", "every 6 hours", 35)
    assert list(kit.keyring.store.values()) == ["new-token"]
    cleared = integrations.edit_integration(kit.ctx, "Copilot", given={"base_url": ""},
                                            secrets=kit.secrets)
    assert "base_url" not in cleared.options  # back to the plugin's default


def test_removing_removes_the_secret_and_keeps_the_accounts(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    kit.sync()
    assert integrations.remove_integration(kit.ctx, "COPILOT ACME",
                                           secrets=kit.secrets) == "Copilot acme"
    assert kit.keyring.store == {}
    assert len(dump(kit.ctx)["account"]) == 1
    with pytest.raises(NotFoundError, match="integrations: none"):
        integrations.remove_integration(kit.ctx, "Copilot acme", secrets=kit.secrets)


def test_a_tool_deleted_leaves_its_integration_waiting(kit: Kit) -> None:
    row = kit.add()
    assert row.tool_id is not None
    tools.delete_tool(kit.ctx, row.tool_id)
    again = integrations.get_integration(kit.ctx, row.id)
    assert again.tool is None and again.has_secret
    result = kit.sync()
    assert result.error_kind == "config" and "--tool TOOL" in (result.error or "")


def test_testing_runs_the_plugins_check(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    settings = kit.settings()
    secrets = settings.pop("secrets")
    result = integrations.test_integration(kit.ctx, "Copilot acme", secrets=secrets,
                                           **settings)
    assert result.summary.startswith("token accepted")
    kit.vendor.add(BILLING, Reply.error(401, "Bad credentials"))
    with pytest.raises(AuthRejected, match="token was rejected"):
        integrations.test_integration(kit.ctx, "Copilot acme", secrets=secrets, **settings)


def test_a_broken_plugin_is_listed_with_its_reason(kit: Kit) -> None:
    from importlib import metadata

    kit.add()
    with kit.ctx.transaction() as session:
        session.scalars(select(Integration)).one().plugin_id = "gone"
    broken = Registry([
        *metadata.entry_points(group="stackadmin.plugins"),
        metadata.EntryPoint("gone", "no_such_module:Plugin", "stackadmin.plugins")])
    row = integrations.list_integrations(kit.ctx, registry=broken)[0]
    assert row.plugin_problem is not None and "could not be imported" in row.plugin_problem
    with pytest.raises(BrokenPluginError):
        integrations.test_integration(kit.ctx, "Copilot acme", secrets=kit.secrets,
                                      registry=broken)
    result = kit.sync(registry=broken)
    assert result.error_kind == "plugin" and "could not be imported" in (result.error or "")


def test_no_keyring_means_nothing_is_added(kit: Kit) -> None:
    from keyring.backends import fail

    from stackadmin.secrets import SecretStore

    with pytest.raises(UserError, match="no system keyring"):
        integrations.add_integration(kit.ctx, "github", "gh", "GitHub", {"org": "acme"},
                                     SECRET, secrets=SecretStore(fail.Keyring()))
    assert dump(kit.ctx, ("integration",)) == {"integration": []}
