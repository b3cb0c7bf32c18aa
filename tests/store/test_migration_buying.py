"""The buying revision on a database holding data at the revision before it."""

from __future__ import annotations

from sqlalchemy import inspect, text

from stackadmin.store.migrate import head_revision, run_downgrade, upgrade_database
from tests.store.test_migrations import before_revision

BUYING_TABLES = {"tool_tag", "tool_request", "evaluation", "evaluation_criterion",
                 "evaluation_candidate", "evaluation_score", "evaluation_decision",
                 "feedback_round", "feedback_response"}


def test_upgrading_from_the_previous_revision_keeps_every_row(db_url: str) -> None:
    with before_revision(db_url, "0003") as (engine, target, previous):
        assert previous == "0002"
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO term_decision (id, term_id, renewal_date, decision, decided_by, "
                "decided_at) VALUES (1, 1, '2027-01-01', 'renew', 'ada', '2026-11-01')"))
        result = upgrade_database(engine, target)
        assert result.before == "0002" and result.after == head_revision()
        assert set(inspect(engine).get_table_names()) >= BUYING_TABLES
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
            assert conn.execute(text("SELECT decision FROM term_decision")).scalar_one() == (
                "renew")
            conn.execute(text("INSERT INTO tool_tag (tool_id, tag) VALUES (1, 'design')"))
        # And back: the buying tables go, everything older stays.
        run_downgrade(engine, "0002")
        tables = set(inspect(engine).get_table_names())
        assert not BUYING_TABLES & tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM tool")).scalar_one() == "Figma"
            assert conn.execute(text("SELECT count(*) FROM term_decision")).scalar_one() == 1
