"""The digest: its content on a hand-built inventory (as text), the HTML, when it is due,
and sending it to a real SMTP server on loopback (STARTTLS or TLS, AUTH)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from stackadmin.secrets import SecretStore
from stackadmin.services.context import ServiceContext
from stackadmin.services.digest import mail, run
from stackadmin.services.inventory import rates, settings, terms
from stackadmin.services.running import connections
from stackadmin.store.models import AuditEvent, DigestSend, Integration, SyncRun, ToolRequest
from tests.conftest import TODAY
from tests.services.seats.helpers import account, person, tool_with_term
from tests.smtpserver import PASSWORD, USER, Mailbox, smtp_server


class MemoryKeyring:
    """A keyring backend's three calls, in memory (the real keyring is used by
    tests/test_secrets.py and the CLI tests). Not a KeyringBackend subclass: keyring would
    find it and make it every later test's default backend."""

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def inventory(ctx: ServiceContext) -> ServiceContext:
    """Slack (10 seats, 2 unused), a renewal 20 days before its cancel-by date, one missed,
    a leaver still holding a seat, a broken and an unverified connection, a failed sync."""
    rates.set_rate(ctx, "EUR", "1.10", TODAY - timedelta(days=10))
    slack = tool_with_term(ctx, "Slack", unit_price="8.00", seats=10)
    figma = tool_with_term(ctx, "Figma", currency="EUR", unit_price="100.00", seats=2,
                           billing_period="annual")
    notion = tool_with_term(ctx, "Notion", unit_price="5.00", seats=3)
    ada = person(ctx, "ada@example.com")
    person(ctx, "bob@example.com", departed_days_ago=12)
    account(ctx, slack, "ada@example.com", person_id=ada, last_days=1)
    account(ctx, slack, "bob@example.com", person_id=2, last_days=20)  # left, holds a seat
    account(ctx, slack, "old@example.com", last_days=90)  # inactive
    account(ctx, figma, "ada@example.com", person_id=ada, last_days=3)
    account(ctx, notion, "ada@example.com", person_id=ada, last_days=3)
    # Figma: cancel-by in 20 days; Notion: cancel-by passed 5 days ago, undecided.
    terms.update_term(ctx, 2, renewal_date=TODAY + timedelta(days=50), notice_days=30)
    terms.update_term(ctx, 3, renewal_date=TODAY + timedelta(days=25), notice_days=30,
                      auto_renew=False)
    connections.add_connection(ctx, "Figma", "Slack", what="comments to #design",
                               method="native", owner="ada@example.com")
    connections.add_connection(ctx, "Notion", "Slack", what="page updates",
                               method="automation")
    connections.record_incident(ctx, 1, symptom="no comments posted")
    with ctx.transaction() as session:
        integration = Integration(plugin_id="slack", tool_id=slack, name="Slack admin API")
        session.add(integration)
        session.flush()
        session.add(SyncRun(integration_id=integration.id, status="failed",
                            started_at=datetime.combine(TODAY, datetime.min.time(), UTC)
                            - timedelta(days=2),
                            error="HTTP 401 from Slack: invalid_auth\nmore detail"))
        session.add(SyncRun(integration_id=integration.id, status="failed",
                            started_at=datetime(2026, 1, 1, tzinfo=UTC), error="too old"))
    for key, value in (("digest_recipients", "ops@example.com, CFO@example.com"),
                       ("smtp_host", "127.0.0.1"), ("smtp_user", USER)):
        settings.set_setting(ctx, key, value)
    return ctx


def test_digest_content_as_text(inventory: ServiceContext) -> None:
    later = replace(inventory, today=lambda: TODAY + timedelta(days=91))
    text = run.compose(later, TODAY).text()
    expected_lines = [
        "stackadmin digest for 2026-11-25 (since 2026-11-18)",
        "Amounts in USD, a year unless said otherwise.",
        "RENEWALS TO DECIDE — 1 cancel-by date within 30 days, 1 missed",
        "- Notion: cancel-by date 2026-11-20 MISSED (5 days ago)",
        "  renews 2026-12-20 · 180.00 USD a year · undecided · no owner",
        "  stackadmin://renewals?term_id=3",
        "- Figma: cancel by 2026-12-15 (in 20 days)",
        "  renews 2027-01-14 · 220.00 USD a year · undecided · no owner",
        "UNUSED SEATS — 2 unused and 10 unassigned seats in 3 tools",
        "- Slack: 2 unused, 7 unassigned of 10 purchased",
        "  saves 864.00 USD a year",
        "Potential savings: 1,094.00 USD a year",
        "FAILED SYNCS — 1 failed run of 1 integration since 2026-11-18",
        "- Slack admin API (Slack): failed 2026-11-23",
        "  HTTP 401 from Slack: invalid_auth",
        "CONNECTIONS — 1 broken, 0 not verified for 90 days",
        "- BROKEN: Figma → Slack: comments to #design",
        "  native · owner Ada · 1 open incident",
        "PEOPLE WHO LEFT AND STILL HOLD SEATS — 1 person holds 1 seat",
        "- Bob (bob@example.com), left 2026-11-13",
        "  still holds 1 seat: Slack · 96.00 USD a year",
    ]
    lines = text.splitlines()
    for line in expected_lines:
        assert line in lines, f"missing: {line!r}\n{text}"
    assert "too old" not in text  # a failed run before the period is not news
    # Sections in the order of SECTIONS: renewals, unused, syncs, connections, leavers.
    heads = [line.split(" — ")[0] for line in lines
             if " — " in line and line.split(" — ")[0].isupper()]
    assert heads == ["RENEWALS TO DECIDE", "UNUSED SEATS", "FAILED SYNCS", "CONNECTIONS",
                     "PEOPLE WHO LEFT AND STILL HOLD SEATS"]


def test_unverified_connections_after_the_threshold(inventory: ServiceContext) -> None:
    later = replace(inventory, today=lambda: TODAY + timedelta(days=91))
    text = run.compose(later).text()
    assert "CONNECTIONS — 1 broken, 1 not verified for 90 days" in text
    assert "  never verified, added 2026-11-25 (91 days) · working · owner nobody" in text


def test_an_inventory_with_nothing_to_say(ctx: ServiceContext) -> None:
    digest = run.compose(ctx)
    assert digest.empty
    assert "Nothing needs you" in digest.text()
    assert digest.subject == "stackadmin digest 2026-11-25: nothing needs you"


def test_html_is_escaped_and_made_for_a_phone(inventory: ServiceContext) -> None:
    connections.add_connection(inventory, "Slack", "Notion", what="<script>x</script>",
                               method="webhook", status="broken")
    html = run.compose(inventory).html()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width:600px" in html and "<table" not in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="stackadmin://renewals?term_id=3"' in html


def test_due_by_frequency_and_a_failure_keeps_it_due(inventory: ServiceContext) -> None:
    assert run.is_due(inventory)
    with inventory.transaction() as session:
        session.add(DigestSend(as_of=TODAY, recipients="ops@example.com,cfo@example.com",
                               outcome="sent"))

    def day(n: int) -> ServiceContext:
        return replace(inventory, today=lambda: TODAY + timedelta(days=n))

    assert not run.is_due(day(6)) and run.is_due(day(7))  # weekly by default
    settings.set_setting(inventory, "digest_frequency", "daily")
    assert not run.is_due(inventory) and run.is_due(day(1))
    settings.set_setting(inventory, "digest_frequency", "monthly")
    assert not run.is_due(day(5)) and run.is_due(day(6))  # 2026-12-01
    settings.set_setting(inventory, "digest_recipients", "")
    assert not run.is_due(day(40))  # not configured: never due


@pytest.fixture
def secrets() -> SecretStore:
    store = SecretStore(MemoryKeyring())
    store.set("smtp_password", PASSWORD)
    return store


@pytest.fixture
def mailbox(tmp_path: Path, inventory: ServiceContext) -> Iterator[Mailbox]:
    with smtp_server(tmp_path) as box:
        settings.set_setting(inventory, "smtp_port", str(box.port))
        yield box


def test_sent_over_starttls_with_auth(inventory: ServiceContext, mailbox: Mailbox,
                                      secrets: SecretStore) -> None:
    result = run.send_digest(inventory, secrets=secrets, tls=mailbox.trust())
    assert result.recipients == ["ops@example.com", "cfo@example.com"]
    assert mailbox.logins == [USER]
    ((sender, to, message),) = mailbox.messages
    assert (sender, to) == (USER, ["ops@example.com", "cfo@example.com"])
    assert message["Subject"].startswith("stackadmin digest 2026-11-25:")
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk()
             if not p.is_multipart()}
    assert "RENEWALS TO DECIDE" in parts["text/plain"]
    assert "<h2" in parts["text/html"]
    assert run.last_sent(inventory) is not None
    assert not run.is_due(inventory)
    with inventory.read() as session:
        summaries = list(session.scalars(select(AuditEvent.summary)))
    assert "digest 2026-11-25 sent to ops@example.com, cfo@example.com" in summaries
    assert not any(PASSWORD in s for s in summaries)


def test_a_one_off_digest_leaves_the_teams_due(inventory: ServiceContext, mailbox: Mailbox,
                                              secrets: SecretStore) -> None:
    """Sent to someone else, or for a day ahead: the team's digest is still due, and still
    covers the period since the team's last one."""
    since = run.compose(inventory).since
    run.send_digest(inventory, to=["me@example.com"], secrets=secrets, tls=mailbox.trust())
    run.send_digest(inventory, as_of=TODAY + timedelta(days=90), secrets=secrets,
                    tls=mailbox.trust())
    assert len(mailbox.messages) == 2
    assert run.is_due(inventory) and run.last_sent(inventory) is None
    assert run.compose(inventory).since == since
    run.send_digest(inventory, secrets=secrets, tls=mailbox.trust())  # the team's
    assert not run.is_due(inventory)
    assert run.compose(inventory, TODAY + timedelta(days=7)).since == TODAY


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_sent_over_implicit_tls(inventory: ServiceContext, tmp_path: Path,
                                secrets: SecretStore) -> None:
    with smtp_server(tmp_path, implicit_tls=True) as box:
        settings.set_setting(inventory, "smtp_port", str(box.port))
        settings.set_setting(inventory, "smtp_security", "tls")
        run.send_digest(inventory, to=["me@example.com"], secrets=secrets, tls=box.trust())
        assert [m[1] for m in box.messages] == [["me@example.com"]]


@pytest.mark.parametrize("password", ["pässwörd-ünïcode", "пароль", "密码 with spaces"])
def test_a_password_beyond_ascii_logs_in(inventory: ServiceContext, tmp_path: Path,
                                         password: str) -> None:
    """Python's SMTP client sends a login in ASCII only: a password with an accent was an
    internal error (UnicodeEncodeError) and no failed send was recorded. It is sent as
    UTF-8, as AUTH PLAIN defines it."""
    store = SecretStore(MemoryKeyring())
    store.set("smtp_password", password)
    with smtp_server(tmp_path, password=password) as box:
        settings.set_setting(inventory, "smtp_port", str(box.port))
        run.send_digest(inventory, secrets=store, tls=box.trust())
        assert box.logins == [USER] and len(box.messages) == 1
        store.set("smtp_password", password + "x")  # wrong: refused in the server's words
        with pytest.raises(mail.SendError, match=r"refused the login for .*: 535 5\.7\.8"):
            run.send_digest(inventory, secrets=store, tls=box.trust())
    assert len(box.messages) == 1


def test_a_wrong_password_is_told_in_the_servers_words_once_and_retried(
        inventory: ServiceContext, mailbox: Mailbox) -> None:
    wrong = SecretStore(MemoryKeyring())
    wrong.set("smtp_password", "hunter2")
    with pytest.raises(mail.SendError) as failed:
        run.send_digest(inventory, secrets=wrong, tls=mailbox.trust())
    assert str(failed.value) == (
        f"the mail server 127.0.0.1:{mailbox.port} refused the login for {USER}: "
        "535 5.7.8 Authentication credentials invalid")
    assert "hunter2" not in str(failed.value)
    assert mailbox.messages == []
    assert run.is_due(inventory)  # retried at the next run
    told = run.failure_to_report(inventory)
    assert told is not None and told.error == str(failed.value)
    run.mark_reported(inventory)
    assert run.failure_to_report(inventory) is None
    with pytest.raises(mail.SendError):  # the same failure again is not told twice
        run.send_digest(inventory, secrets=wrong, tls=mailbox.trust())
    assert run.failure_to_report(inventory) is None


def test_a_keyring_that_cannot_be_read_is_a_failed_send_told_once(
        inventory: ServiceContext, mailbox: Mailbox) -> None:
    import keyring.errors

    class LockedKeyring(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise keyring.errors.KeyringLocked("the collection is locked")

    with pytest.raises(mail.SendError) as failed:
        run.send_digest(inventory, secrets=SecretStore(LockedKeyring()), tls=mailbox.trust())
    assert str(failed.value) == (f"the password for {USER} could not be read: the keyring "
                                 "could not be read: the collection is locked")
    assert mailbox.messages == [] and run.is_due(inventory)
    told = run.failure_to_report(inventory)  # what the open app shows in its banner
    assert told is not None and told.error == str(failed.value)
    run.mark_reported(inventory)
    assert run.failure_to_report(inventory) is None


def test_a_refused_connection_is_told_in_words(inventory: ServiceContext,
                                               secrets: SecretStore) -> None:
    from tests.smtpserver import free_port

    port = free_port()
    settings.set_setting(inventory, "smtp_port", str(port))
    with pytest.raises(mail.SendError) as failed:
        run.send_digest(inventory, secrets=secrets)
    assert str(failed.value) == (f"could not connect to the mail server 127.0.0.1:{port}: the "
                                 "connection was refused (check smtp_host and smtp_port)")
    with inventory.read() as session:
        (row,) = session.scalars(select(DigestSend)).all()
    assert (row.outcome, row.error) == ("failed", str(failed.value))


def test_an_untrusted_certificate_is_refused(inventory: ServiceContext, mailbox: Mailbox,
                                             secrets: SecretStore) -> None:
    with pytest.raises(mail.SendError, match="certificate could not be verified"):
        run.send_digest(inventory, secrets=secrets)  # the system's CAs: self-signed fails
    assert mailbox.messages == []


def test_missing_settings_are_named(ctx: ServiceContext) -> None:
    from stackadmin.errors import ValidationError

    with pytest.raises(ValidationError) as bad:
        run.send_digest(ctx)
    assert [p.split(":")[0] for p in bad.value.problems] == [
        "no recipients", "no mail server", "no sender address"]


def test_settings_are_validated_in_words(ctx: ServiceContext) -> None:
    from stackadmin.errors import ValidationError

    cases: dict[str, Any] = {
        "digest_recipients": ("ops@example.com, nope", "'nope' is not an email address"),
        "digest_frequency": ("hourly", "must be one of daily, weekly, monthly"),
        "smtp_port": ("70000", "port 70000 is outside 1 to 65535"),
        "smtp_security": ("ssl3", "must be one of starttls, tls"),
        "smtp_host": ("smtp.example.com:587", "not a host name"),
        "unverified_days": ("0", "must be at least 1"),
    }
    for key, (value, words) in cases.items():
        with pytest.raises(ValidationError, match=words):
            settings.set_setting(ctx, key, value)
    assert settings.set_setting(ctx, "digest_recipients", "A@x.com; b@x.com a@x.com") == \
        "a@x.com,b@x.com"


@pytest.mark.parametrize(("key", "value", "words"), [
    ("smtp_host", "mail\x1b]0;owned\x07.example.com", "control character, U+001B"),
    ("smtp_host", "smtp\x00.example.com", "a NUL character"),
    ("smtp_host", "x" * 64 + ".example.com", "is not a host name"),
    ("smtp_host", "smtp..example.com", "is not a host name"),
    ("smtp_user", "digest@example.com\nRCPT TO:<x@evil.example>", "must be on one line"),
    ("smtp_user", "digest\x1b[2J@example.com", "control character, U+001B"),
])
def test_mail_settings_refuse_what_the_mail_server_cannot_take(
        ctx: ServiceContext, key: str, value: str, words: str) -> None:
    """A host with an empty or overlong part was stored and every digest then ended as an
    internal error (UnicodeError from the connection); control characters were stored."""
    from stackadmin.errors import ValidationError

    with pytest.raises(ValidationError, match=re.escape(words)):
        settings.set_setting(ctx, key, value)
    assert settings.all_settings(ctx)[key] == ""
    assert settings.set_setting(ctx, "smtp_host", " smtp.exämple.de ") == "smtp.exämple.de"


def test_a_stored_host_that_cannot_be_connected_to_is_a_failed_send_in_words(
        inventory: ServiceContext, secrets: SecretStore) -> None:
    """A host stored before it was checked (an older version, a shared database)."""
    from stackadmin.store.models import Setting

    with inventory.transaction() as session:
        session.get(Setting, "smtp_host").value = "smtp..example.com"  # type: ignore[union-attr]
    with pytest.raises(mail.SendError) as failed:
        run.send_digest(inventory, secrets=secrets)
    assert str(failed.value) == ("the mail server's name smtp..example.com is not a host name "
                                 "(an empty or too long part): check smtp_host")
    assert run.failure_to_report(inventory) is not None  # recorded, told once in the app


def test_open_requests_most_urgent_first_with_what_is_already_paid_for(
        inventory: ServiceContext) -> None:
    from stackadmin.services.buying import requests

    requests.create_request(inventory, "Team chat for contractors", "ada@example.com",
                            tool="Slack", urgency="low")
    requests.create_request(inventory, "Design reviews", "ada@example.com", urgency="high")
    closed = requests.create_request(inventory, "Old ask", "ada@example.com")
    requests.set_status(inventory, closed.id, "rejected", reason="not needed")
    with inventory.transaction() as session:  # asked on TODAY, whatever the clock says
        for row in session.scalars(select(ToolRequest)):
            row.created_at = datetime.combine(TODAY, datetime.min.time(), UTC)
    later = replace(inventory, today=lambda: TODAY + timedelta(days=3))
    text = run.compose(later, TODAY + timedelta(days=3)).text()
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("OPEN REQUESTS — "))
    assert lines[head] == "OPEN REQUESTS — 2 open requests: 2 new"
    assert lines[head + 1:head + 5] == [
        "- Design reviews: new",
        "  asked by Ada on 2026-11-25 (3 days ago) · high urgency",
        "  stackadmin://requests?request_id=2",
        "- Team chat for contractors (Slack): new",
    ]
    assert lines[head + 5].startswith("  asked by Ada on 2026-11-25 (3 days ago) · low urgency"
                                      " · already paid for: Slack")
    assert "1 request may be answered by a tool already paid for" in lines
    assert "Old ask" not in text
