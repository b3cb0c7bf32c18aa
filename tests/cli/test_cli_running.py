"""The running-the-stack commands as a user runs them: connections, decide … cancel,
snapshot, adoption, bundles, onboarding, digest (a real SMTP server, the real keyring)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from tests.cli.conftest import Run
from tests.smtpserver import PASSWORD, USER, smtp_server


@pytest.fixture
def demo(run: Run) -> Run:
    assert run("demo").code == 0
    return run


def test_connections_contract(demo: Run) -> None:
    # The demo has 9 connections; these are 10 and 11.
    added = demo("connections", "add", "Jira", "Slack", "--what", "Jira issues → Slack #eng",
                 "--method", "native", "--status", "working")
    assert added.code == 0, added.err
    assert added.out.startswith("connection 10: Jira → Slack")
    assert demo("connections", "add", "HubSpot Marketing Hub", "Salesforce Sales Cloud",
                "--what", "HubSpot deals", "--method", "automation").code == 0
    bad = demo("connections", "add", "Jira", "Slack", "--what", "x", "--method", "pigeon")
    assert bad.code == 2 and "invalid choice: 'pigeon'" in bad.err
    owner = demo("connections", "add", "Jira", "Slack", "--what", "x", "--method", "native",
                 "--owner", "nobody@example.com")
    assert owner.code == 1
    assert owner.err.strip() == "stackadmin: error: owner nobody@example.com is not in the " \
                                "people list"
    incident = demo("connections", "incident", "10", "--symptom", "no alerts", "--cause",
                    "token expired")
    assert incident.code == 0 and "connection broken" in incident.out
    rows = json.loads(demo("connections", "list", "--json").out)
    assert all(sorted(r) == sorted(
        ["id", "from_tool", "to_tool", "what", "method", "status", "owner", "last_verified",
         "open_incidents"]) for r in rows)
    by_id = {r["id"]: r for r in rows}
    assert (by_id[10]["status"], by_id[10]["open_incidents"]) == ("broken", 1)
    broken = json.loads(demo("connections", "list", "--status", "broken", "--json").out)
    assert sorted(r["id"] for r in broken) == [3, 10]  # the demo's broken HubSpot link too
    verified = demo("connections", "verify", "11")
    assert verified.code == 0
    still = demo("connections", "verify", "10").out  # verified, with its incident open
    assert "(1 incident still open: close it with `stackadmin connections resolve" in still
    rows = {r["id"]: r for r in json.loads(demo("connections", "list", "--json").out)}
    assert rows[11]["last_verified"] is not None and rows[11]["status"] == "working"
    resolved = demo("connections", "incident", "11", "--symptom", "late", "--resolved")
    assert "resolved" in resolved.out


def test_decide_cancel_prints_what_breaks_and_who_owns_it(demo: Run, tmp_path: Path) -> None:
    assert demo("export", "people", str(tmp_path / "p.csv")).code == 0
    owner = (tmp_path / "p.csv").read_text("utf-8-sig").splitlines()[1].split(",")[0]
    demo("connections", "add", "Jira", "Slack", "--what", "Jira issues → Slack #eng",
         "--method", "native", "--owner", owner)
    out = demo("decide", "Jira", "cancel").out
    # The demo's three Jira connections, and this one.
    assert "cancelling Jira breaks 4 connections; tell their owners:" in out
    assert "Jira → Slack: Jira issues → Slack #eng (native, working); owner" in out
    assert owner in out
    other = demo("decide", "Zoom", "cancel").out
    assert "no connection depends on Zoom" in other


def test_snapshot_adoption_and_target(demo: Run) -> None:
    first = demo("snapshot")
    assert first.code == 0 and "25 tools added" in first.out
    assert "25 unchanged" in demo("snapshot").out
    data = json.loads(demo("adoption", "--tool", "Slack", "--months", "3", "--json").out)
    assert data["tool"] == "Slack" and len(data["months"]) == 3
    last = data["months"][-1]
    assert last["seats_purchased"] is not None and last["annual_cost_base"] is not None
    assert data["months"][0]["day"] is None  # no history before the first snapshot
    assert demo("target", "Slack", "80", "--department", "Engineering").code == 0
    data = json.loads(demo("adoption", "--tool", "Slack", "--json").out)
    (target,) = data["targets"]
    assert target["target_pct"] == 80 and target["department"] == "Engineering"
    assert target["group_size"] >= target["active"] + 0


def test_an_import_takes_todays_snapshot(run: Run, tmp_path: Path) -> None:
    terms = tmp_path / "terms.csv"
    terms.write_text("tool,unit_price,seats,currency,billing_period\n"
                     "Miro,10.00,10,USD,monthly\n", encoding="utf-8")
    users = tmp_path / "miro.csv"
    users.write_text("email,last_active\nada@example.com,2026-11-20\n", encoding="utf-8")
    assert run("import", "subscriptions", str(terms)).code == 0
    assert run("import", "accounts", "--tool", "Miro", str(users), "--dry-run").code == 0
    data = json.loads(run("adoption", "--tool", "Miro", "--months", "1", "--json").out)
    assert data["first_snapshot"] is not None
    assert data["months"][-1]["seats_purchased"] == 10
    assert data["months"][-1]["seats_held"] == 0  # the dry run changed nothing
    imported = run("import", "accounts", "--tool", "Miro", str(users))
    assert imported.code == 0 and imported.err == "", imported.err
    data = json.loads(run("adoption", "--tool", "Miro", "--months", "1", "--json").out)
    assert data["months"][-1]["seats_held"] == 1  # today's row, refreshed after the import
    assert "1 unchanged" in run("snapshot").out


def test_bundles_and_onboarding_csv(demo: Run, tmp_path: Path) -> None:
    assert demo("bundles", "set", "Engineering", "Jira", "GitHub Enterprise:admin",
                "Slack").code == 0
    bad = demo("bundles", "set", "Engineering", "Jira:boss")
    assert bad.code == 1 and "role of Jira must be one of" in bad.err
    listed = json.loads(demo("bundles", "list", "--json").out)
    assert {b["tool"] for b in listed if b["department"] == "Engineering"} == {
        "Jira", "GitHub Enterprise", "Slack"}  # replaced the demo's Engineering bundle
    people = demo("export", "people", str(tmp_path / "p.csv"))
    assert people.code == 0
    rows = (tmp_path / "p.csv").read_text("utf-8-sig").splitlines()
    engineer = next(r.split(",")[0] for r in rows[1:] if ",Engineering," in r)
    out = json.loads(demo("onboarding", engineer, "--json").out)
    assert [i["tool"] for i in out["checklist"]] == ["GitHub Enterprise", "Jira", "Slack"]
    csv_path = tmp_path / "checklist.csv"
    text = demo("onboarding", engineer, "--csv", str(csv_path))
    assert text.code == 0 and f"wrote 3 rows to {csv_path}" in text.out
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbfperson,email,department,title,tool,")


def test_tools_and_tags_may_follow_an_option(demo: Run) -> None:
    """`bundles set DEPT --title T TOOL...` and `tags set TOOL --db DB TAG...` read the
    names after the option as those before it (argparse ended the list at the option and
    called the rest unrecognized); an unknown option after them is still a usage error."""
    done = demo("bundles", "set", "Engineering", "--title", "Engineer", "Jira", "Slack:admin")
    assert done.code == 0, done.err
    listed = json.loads(demo("bundles", "list", "--json").out)
    assert {(b["tool"], b["role"]) for b in listed
            if b["department"] == "Engineering" and b["title"] == "Engineer"} == {
        ("Jira", "member"), ("Slack", "admin")}
    bad = demo("bundles", "set", "Engineering", "--title", "Engineer", "Jira", "--bogus")
    assert bad.code == 2 and "unrecognized arguments: Jira --bogus" in bad.err
    assert demo("reminders", "stray").code == 2


def test_digest_dry_run_prints_the_message(demo: Run) -> None:
    assert demo("settings", "set", "digest_recipients", "ops@example.com").code == 0
    out = demo("digest", "--dry-run", "--as-of", "2027-03-02")
    assert out.code == 0, out.err
    assert "To: ops@example.com" in out.out
    assert "stackadmin digest for 2027-03-02" in out.out
    bad = demo("digest", "--as-of", "02/03/2027")
    assert bad.code == 2 and "is not a date in the form YYYY-MM-DD" in bad.err


def test_digest_refused_connection_in_words(demo: Run) -> None:
    from tests.smtpserver import free_port

    port = free_port()
    for key, value in (("digest_recipients", "ops@example.com"), ("smtp_host", "127.0.0.1"),
                       ("smtp_port", str(port)), ("smtp_from", "stackadmin@example.com")):
        assert demo("settings", "set", key, value).code == 0
    out = demo("digest")
    assert out.code == 1
    assert out.err.strip() == (f"stackadmin: error: could not connect to the mail server "
                               f"127.0.0.1:{port}: the connection was refused (check smtp_host "
                               "and smtp_port)")


def test_digest_sent_with_the_password_from_the_os_keyring(
        demo: Run, os_keyring: object, tmp_path: Path, db_url: str) -> None:
    with smtp_server(tmp_path) as box:
        for key, value in (("digest_recipients", "ops@example.com"),
                           ("smtp_host", "127.0.0.1"), ("smtp_port", str(box.port)),
                           ("smtp_user", USER)):
            assert demo("settings", "set", key, value).code == 0
        stored = subprocess.run(
            [sys.executable, "-m", "stackadmin", "--db", db_url, "settings", "set-secret",
             "smtp_password", "--secret-stdin"], input=PASSWORD + "\n", text=True,
            capture_output=True, timeout=120)
        try:
            assert stored.returncode == 0, stored.stderr
            assert PASSWORD not in stored.stdout + stored.stderr
            trust = {"SSL_CERT_FILE": str(box.cert)}
            sent = demo("digest", env=trust)
            assert sent.code == 0, sent.err
            assert "sent to ops@example.com" in sent.out
            assert [m[1] for m in box.messages] == [["ops@example.com"]]
            listed = demo("settings", "list", "--json").out
            assert PASSWORD not in listed
            audit_free = demo("settings", "list").out
            assert PASSWORD not in audit_free
        finally:
            keyring.delete_password("stackadmin", "smtp_password")


def test_training_edit_changes_what_is_given_and_keeps_the_rest(demo: Run) -> None:
    listed = json.loads(demo("training", "list", "--json").out)
    guide = next(r for r in listed if r["kind"] == "guide")
    wrong = demo("training", "edit", str(guide["id"]), "--champion", "amara.singh@example.com")
    assert wrong.code == 1
    assert wrong.err.strip() == (f"stackadmin: error: champion: resource {guide['id']} is a "
                                 "guide, not a champion (give --kind champion to make it one)")
    edited = demo("training", "edit", str(guide["id"]), "--title", "Jira, the house rules")
    assert edited.code == 0, edited.err
    assert edited.out.strip() == (f"resource {guide['id']} for {guide['tool']}: Guide: Jira, "
                                  f"the house rules — {guide['url']}")
    # Another kind: what the new kind needs is given, the rest does not carry over.
    champion = demo("training", "edit", str(guide["id"]), "--kind", "champion",
                    "--champion", "Amara.Singh@example.com")
    assert champion.code == 0, champion.err
    after = {r["id"]: r for r in json.loads(demo("training", "list", "--json").out)}
    assert after[guide["id"]] == {**guide, "kind": "champion", "title": "Amara Singh",
                                  "url": None, "champion": "amara.singh@example.com"}
    # A bad edit says what is wrong and changes nothing.
    bad = demo("training", "edit", str(guide["id"]), "--champion", "nobody@example.com")
    assert bad.code == 1
    assert bad.err.strip() == ("stackadmin: error: champion: nobody@example.com is not in "
                               "the people list")
    link_for_champion = demo("training", "edit", str(guide["id"]), "--url", "https://x.example")
    assert link_for_champion.code == 1 and "is a champion, who has no link" in link_for_champion.err
    no_url = demo("training", "edit", str(guide["id"]), "--kind", "link")
    assert no_url.code == 1 and "title" in no_url.err
    assert {r["id"]: r for r in json.loads(demo("training", "list", "--json").out)} == after
    missing = demo("training", "edit", "999", "--title", "x")
    assert missing.code == 1 and "999" in missing.err
