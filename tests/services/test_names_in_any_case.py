"""A name typed in another case finds the same thing on SQLite and on PostgreSQL, accented
letters included (SQLite's lower() folds ASCII letters only): a tool, a bundle, a round,
an integration."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from stackadmin.services.buying import feedback, requests
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import people, terms, tools
from stackadmin.services.running import onboarding
from stackadmin.services.tools import documents


def test_accented_names_match_in_any_case(ctx: ServiceContext) -> None:
    tools.create_tool(ctx, name="Ölfa")
    tools.create_tool(ctx, name="Éclair")
    people.create_person(ctx, email="ada@example.com", department="Émeute")
    asked = requests.create_request(ctx, "A cutter", "ada@example.com", tool="ÖLFA")
    assert (asked.tool_name, asked.tool_id is not None) == ("Ölfa", True)
    done = requests.set_status(ctx, asked.id, "triaged")
    assert done.status == "triaged"
    onboarding.set_bundle(ctx, "Émeute", [("Éclair", "member")])
    onboarding.set_bundle(ctx, "émeute", [("ölfa", "member")])  # the same bundle, replaced
    bundles = onboarding.list_bundles(ctx)
    assert [(b.department, b.tool) for b in bundles] == [("Émeute", "Ölfa")]
    feedback.add_feedback(ctx, "Été 2027", "Éclair", "ada@example.com", 4)
    feedback.add_feedback(ctx, "ÉTÉ 2027", "éclair", "ada@example.com", 2)
    rounds = feedback.list_rounds(ctx)
    assert [r.name for r in rounds] == ["Été 2027"]


def test_tools_are_listed_in_the_same_order_on_both_engines(ctx: ServiceContext) -> None:
    for name in ("Ölfa", "zeta", "Émile", "Eclair", "Z", "oz", "Ångström", "éclair2"):
        tools.create_tool(ctx, name=name)
    assert [t.name for t in tools.list_tools(ctx)] == [
        "Eclair", "oz", "Z", "zeta", "Ångström", "éclair2", "Émile", "Ölfa"]


def test_documents_are_listed_in_the_tools_order_on_both_engines(
        ctx: ServiceContext, tmp_path: Path) -> None:
    source = tmp_path / "contract.pdf"
    source.write_bytes(b"%PDF-1.7")
    for name in ("zeta", "Émile", "Eclair", "Z", "oz"):
        tool_id = tools.create_tool(ctx, name=name).id
        documents.add_document(ctx, tool_id, source, kind="other", title="Zèbre")
        documents.add_document(ctx, tool_id, source, kind="other", title="apple")
    listed = [(d.tool, d.title) for d in documents.list_documents(ctx)]
    names = [t.name for t in tools.list_tools(ctx)]
    assert [tool for tool, _ in listed[::2]] == names == ["Eclair", "oz", "Z", "zeta", "Émile"]
    assert {title for _, title in listed[::2]} == {"apple"}


def test_terms_without_a_renewal_date_come_first_on_both_engines(ctx: ServiceContext) -> None:
    tool_id = tools.create_tool(ctx, name="Figma").id
    dated = terms.create_term(ctx, tool_id=tool_id, plan="Pro", currency="USD", unit_price="5",
                              seats=2, renewal_date=date(2027, 1, 1))
    undated = terms.create_term(ctx, tool_id=tool_id, plan="Org", currency="USD",
                                unit_price="5", seats=2)
    assert [t.id for t in terms.list_terms(ctx)] == [undated.id, dated.id]
