"""The contract's own rules: records are checked when made, options against their
declaration, a plugin class's description before it is listed."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from stackadmin.errors import ValidationError
from stackadmin.plugins.api import (
    CONTRACT_VERSION,
    AccountKind,
    AccountRecord,
    AccountStatus,
    Activity,
    CheckResult,
    ContractViolation,
    Notice,
    Option,
    OptionKind,
    Plugin,
    PluginContext,
    Record,
    Role,
    SeatCount,
    Secret,
    SecretValue,
    describe_problems,
    resolve_options,
    split_host_options,
)
from stackadmin.plugins.values import email_or_none, guess_role, is_never, parse_timestamp


def test_an_account_record_normalises_what_it_is_given() -> None:
    record = AccountRecord(
        external_id=" 42 ", email=" Mona@Example.COM ", display_name="  Mona ",
        role="admin", status="invited", kind="bot", activity="reported",
        last_activity=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-6))),
        raw={"id": 42})
    assert record.external_id == "42"
    assert record.email == "mona@example.com"
    assert record.display_name == "Mona"
    assert (record.role, record.status, record.kind) == (Role.ADMIN, AccountStatus.INVITED,
                                                         AccountKind.BOT)
    assert record.last_activity == datetime(2026, 1, 2, 9, 4, 5, tzinfo=UTC)
    assert record.last_activity.tzinfo is UTC
    assert record.is_bot and record.activity_known
    blank = AccountRecord(external_id="7", title=" ", department=" Sales\t", email=" ")
    assert (blank.title, blank.department, blank.email) == (None, "Sales", None)


@pytest.mark.parametrize(("changes", "words"), [
    ({"first_seen": datetime(2026, 1, 1)}, "naive"),
    ({"activity": Activity.REPORTED}, "only with it"),
    ({"activity": Activity.NO_DATE, "last_activity": datetime(2026, 1, 1, tzinfo=UTC)},
     "only with it"),
    ({"email": "not an address"}, "not an email"),
    ({"role": "superuser"}, "superuser"),
    ({"pending_cancellation": datetime(2026, 1, 1, tzinfo=UTC)}, "must be a date"),
    ({"licenses": ["E5"]}, "tuple of text"),
    ({"billable": "yes"}, "billable"),
    ({"external_id": "  "}, "vendor's id"),
    ({"display_name": 12}, "not text"),
    ({"manager": 12}, "manager is int, not text"),
    ({"email": 12}, "email is int, not text"),
    ({"invited_at": datetime(2026, 1, 1)}, "invited_at .* naive"),
    ({"activity": "reported", "last_activity": "2026-01-01T00:00:00Z"}, "not a datetime"),
    ({"end_date": "2026-01-01"}, "end_date must be a date"),
    ({"raw": ["not", "an", "object"]}, "raw"),
])
def test_a_malformed_account_record_is_refused_in_words(changes: dict[str, object],
                                                        words: str) -> None:
    arguments: dict[str, object] = {"external_id": "7", **changes}
    with pytest.raises(ContractViolation, match=words):
        AccountRecord(**arguments)  # type: ignore[arg-type]


def test_records_are_frozen_and_travel_as_plain_data() -> None:
    record = AccountRecord(external_id="1", email="a@example.com", raw={"login": "octocat"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.email = "x@example.com"  # type: ignore[misc]
    assert "octocat" not in repr(record)  # raw stays out of reprs: they go to logs
    as_data = dataclasses.asdict(record)
    assert as_data["raw"] == {"login": "octocat"} and as_data["email"] == "a@example.com"
    assert json.loads(json.dumps(as_data, default=str))["raw"] == {"login": "octocat"}
    assert pickle.loads(pickle.dumps(record)) == record
    assert copy.deepcopy(record) == record
    count = SeatCount(label="E5", purchased=3, raw={"skuPartNumber": "E5"})
    assert dataclasses.asdict(count)["raw"] == {"skuPartNumber": "E5"}


def test_replace_keeps_the_checks() -> None:
    record = AccountRecord(external_id="1", activity=Activity.NO_DATE)
    moved = dataclasses.replace(record, activity=Activity.REPORTED,
                                last_activity=datetime(2026, 5, 1, tzinfo=UTC))
    assert moved.last_activity == datetime(2026, 5, 1, tzinfo=UTC)
    with pytest.raises(ContractViolation):
        dataclasses.replace(record, first_seen=datetime(2026, 5, 1))


def test_holds_seat_follows_status_and_billing() -> None:
    assert AccountRecord(external_id="1").holds_seat
    assert AccountRecord(external_id="2", status=AccountStatus.SUSPENDED).holds_seat
    assert not AccountRecord(external_id="3", status=AccountStatus.DEPROVISIONED).holds_seat
    assert not AccountRecord(external_id="4", billable=False).holds_seat


def test_seat_counts_and_notices_are_checked() -> None:
    count = SeatCount(label=" ENTERPRISEPREMIUM ", purchased=25, consumed=14)
    assert count.label == "ENTERPRISEPREMIUM"
    with pytest.raises(ContractViolation, match="whole number"):
        SeatCount(purchased=-1)
    with pytest.raises(ContractViolation, match="whole number"):
        SeatCount(consumed=True)
    with pytest.raises(ContractViolation):
        Notice("", "text")


def test_the_secret_value_prints_as_a_mask_and_is_not_pickled() -> None:
    secret = SecretValue("xoxb-123")
    assert "xoxb" not in repr(secret) and "xoxb" not in str(secret) and "xoxb" not in f"{secret}"
    assert secret.reveal() == "xoxb-123"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


OPTIONS = (
    Option("org", "Organisation", required=True),
    Option("base_url", "API root", default="https://api.example.com/", kind=OptionKind.URL),
    Option("directory_like", "Flag", kind=OptionKind.BOOL, default="no"),
    Option("sku", "SKUs", kind=OptionKind.LIST),
    Option("limit", "Limit", kind=OptionKind.INT),
)


def test_options_are_resolved_against_the_declaration() -> None:
    resolved = resolve_options(OPTIONS, {"org": " acme ", "sku": "E5, ,SPE_E3",
                                         "limit": "0200"})
    assert resolved == {"org": "acme", "base_url": "https://api.example.com",
                        "directory_like": "false", "sku": "E5,SPE_E3", "limit": "200"}


def test_every_option_problem_is_listed_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        resolve_options(OPTIONS, {"orgg": "acme", "base_url": "http://example.com",
                                  "directory_like": "maybe", "limit": "-3"})
    problems = caught.value.problems
    assert any("'orgg' is not one this plugin takes" in p and "org, " in p for p in problems)
    assert any("'org' (Organisation) is required" in p for p in problems)
    assert any("plain HTTP" in p for p in problems)
    assert any("not true or false" in p for p in problems)
    assert any("not a whole number" in p for p in problems)


def test_an_option_given_empty_counts_as_not_given() -> None:
    with pytest.raises(ValidationError, match="'org' \\(Organisation\\) is required"):
        resolve_options(OPTIONS, {"org": "  "})
    assert resolve_options(OPTIONS, {"org": "a", "base_url": ""})["base_url"] == \
        "https://api.example.com"


def test_the_hosts_own_options_are_split_off() -> None:
    host, plugin = split_host_options({"directory": "true", "org": "acme", "interval": "1d"})
    assert host == {"directory": "true", "interval": "1d"} and plugin == {"org": "acme"}


def test_plain_http_is_accepted_for_loopback_only() -> None:
    assert resolve_options(OPTIONS, {"org": "a", "base_url": "http://127.0.0.1:8080/x/"})[
        "base_url"] == "http://127.0.0.1:8080/x"
    assert resolve_options(OPTIONS, {"org": "a", "base_url": "http://localhost:1"})
    with pytest.raises(ValidationError, match="plain HTTP"):
        resolve_options(OPTIONS, {"org": "a", "base_url": "http://10.0.0.1"})


class _Good(Plugin):
    id = "good-one"
    name = "Good"
    options = (Option("org", "Organisation", required=True),)
    secret = Secret("API token")

    def check(self, ctx: PluginContext) -> CheckResult:
        return CheckResult("ok")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        yield from ()


def test_a_well_described_plugin_has_no_problems() -> None:
    assert describe_problems(_Good) == []
    assert _Good.contract_version == CONTRACT_VERSION


def test_malformed_metadata_is_described_in_words() -> None:
    class Bad(_Good):
        id = "Bad Id"
        name = ""
        contract_version = 99
        options = (Option("org", "x"), Option("org", "y"), Option("directory", "z"),
                   Option("base_url", "u", default="ftp://x", kind=OptionKind.URL))
        secret = "a token"  # type: ignore[assignment]
        reports_activity = "yes"  # type: ignore[assignment]

    problems = "; ".join(describe_problems(Bad))
    for words in ("plugin contract 99", "id 'Bad Id'", "name", "declared twice",
                  "reserved for the host", "default", "secret must be a Secret",
                  "reports_activity"):
        assert words in problems, words
    assert describe_problems(object) == [f"{object!r} is not a subclass of "
                                         "stackadmin.plugins.api.Plugin"]

    class Unfinished(Plugin):
        id = "unfinished"
        name = "Unfinished"

    assert "does not implement check, fetch" in "; ".join(describe_problems(Unfinished))


def test_vendor_values_are_read_in_every_vendors_form() -> None:
    assert parse_timestamp("2021-10-14T00:53:32-06:00") == datetime(2021, 10, 14, 6, 53, 32,
                                                                     tzinfo=UTC)
    assert parse_timestamp("2024-01-31T18:25:01.000Z") == datetime(2024, 1, 31, 18, 25, 1,
                                                                    tzinfo=UTC)
    assert parse_timestamp(1502138686) == datetime(2017, 8, 7, 20, 44, 46, tzinfo=UTC)
    assert parse_timestamp(None) is None and parse_timestamp("") is None
    assert is_never(parse_timestamp("1970-01-01T00:00:00.000Z"))
    assert is_never(parse_timestamp("0001-01-01T00:00:00Z"))
    assert not is_never(parse_timestamp("2021-06-17T16:41:33Z"))
    with pytest.raises(Exception, match="no time zone"):
        parse_timestamp("2021-06-17T16:41:33")
    with pytest.raises(Exception, match="last_login"):
        parse_timestamp("yesterday", field="last_login")
    assert email_or_none(" Glenda@South.Oz.Coven ") == "glenda@south.oz.coven"
    assert email_or_none("E012345") is None and email_or_none(None) is None
    assert guess_role("Organization Administrator") is Role.ADMIN
    assert guess_role("primary-owner") is Role.OWNER
    assert guess_role("User") is Role.MEMBER
    assert isinstance(date(2026, 1, 1), date)
