"""The kit catches what it promises to catch, and the host's runner enforces the contract:
plugins that ignore cancel, leak the secret, list an account twice, yield something else or
crash are each caught and told in words."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from stackadmin.errors import ValidationError
from stackadmin.plugins.api import (
    AccountRecord,
    CheckResult,
    ConfigError,
    ContractViolation,
    LinkHeader,
    Notice,
    Option,
    Plugin,
    PluginContext,
    PluginCrashed,
    Record,
    Secret,
)
from stackadmin.plugins.host import PluginRun
from stackadmin.plugins.testing import (
    FakeVendor,
    Reply,
    assert_no_secret,
    check_cancel_between_pages,
    check_records,
    run_check,
    run_fetch,
    verify_plugin,
)
from tests.plugins.conftest import SECRET

PEOPLE = [{"id": n, "email": f"p{n}@example.com"} for n in range(1, 8)]


class Listing(Plugin):
    """A small, correct plugin: what the bad ones below are variations of."""

    id = "listing"
    name = "Listing"
    options = (Option("base_url", "Root", required=True),)
    secret = Secret("API token")

    def check(self, ctx: PluginContext) -> CheckResult:
        ctx.http.get_json(ctx.option("base_url") + "/people")
        return CheckResult("fine")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        for person in ctx.http.items(ctx.option("base_url") + "/people", LinkHeader()):
            yield AccountRecord(external_id=str(person["id"]), email=person["email"],
                                raw=person)


def serve(vendor: FakeVendor) -> dict[str, str]:
    vendor.link_pages("/people", PEOPLE, per_page=3)
    return {"base_url": vendor.url}


def test_a_correct_plugin_passes_the_whole_contract(vendor: FakeVendor) -> None:
    result = verify_plugin(Listing, vendor, options=serve(vendor), secret=SECRET)
    assert [a.email for a in result.accounts] == [p["email"] for p in PEOPLE]


def test_a_plugin_that_reads_behind_the_hosts_back_fails_the_cancel_check(
        vendor: FakeVendor) -> None:
    class OwnClient(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            url: str | None = ctx.option("base_url") + "/people"
            with httpx.Client() as client:
                while url:
                    answer = client.get(url)
                    for person in answer.json():
                        yield AccountRecord(external_id=str(person["id"]))
                    url = answer.links.get("next", {}).get("url")

    with pytest.raises(AssertionError, match="without honouring a cancel"):
        check_cancel_between_pages(OwnClient, vendor, options=serve(vendor), secret=SECRET)


def test_a_plugin_that_logs_the_secret_is_caught(vendor: FakeVendor) -> None:
    class Chatty(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            logging.getLogger("acme.plugin").warning("using token %s", ctx.reveal_secret())
            yield from super().fetch(ctx)

    with pytest.raises(AssertionError, match="the secret"):
        verify_plugin(Chatty, vendor, options=serve(vendor), secret=SECRET)


def test_the_plugins_own_logger_masks_the_secret(vendor: FakeVendor,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    class Careful(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            ctx.log.warning("using token %s", ctx.reveal_secret())
            yield from super().fetch(ctx)

    caplog.set_level(logging.INFO)
    verify_plugin(Careful, vendor, options=serve(vendor), secret=SECRET)
    assert "using token [redacted]" in caplog.text
    assert_no_secret(SECRET, caplog.records)


def test_a_plugin_that_puts_the_secret_in_a_record_is_caught(vendor: FakeVendor) -> None:
    class Leaky(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            yield AccountRecord(external_id="1", display_name=f"token {ctx.reveal_secret()}")

    with pytest.raises(AssertionError, match="the secret"):
        verify_plugin(Leaky, vendor, options=serve(vendor), secret=SECRET, check=False)


def test_a_notice_with_the_secret_is_masked_by_the_host(vendor: FakeVendor) -> None:
    class Noisy(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            yield Notice("token", f"the token {ctx.reveal_secret()} expires soon")

    result = run_fetch(Noisy, options=serve(vendor), secret=SECRET)
    assert result.notices == (Notice("token", "the token [redacted] expires soon"),)


def test_an_account_listed_twice_breaks_the_contract(vendor: FakeVendor) -> None:
    class Twice(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            yield AccountRecord(external_id="1")
            yield AccountRecord(external_id="1")

    with pytest.raises(ContractViolation, match="account 1 twice"):
        run_fetch(Twice, options=serve(vendor), secret=SECRET)
    with pytest.raises(AssertionError, match="listed twice"):
        check_records([AccountRecord(external_id="1"), AccountRecord(external_id="1")])


def test_yielding_something_else_breaks_the_contract(vendor: FakeVendor) -> None:
    class Dicts(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            yield {"id": 1}  # type: ignore[misc]

    with pytest.raises(ContractViolation, match="yielded a dict"):
        run_fetch(Dicts, options=serve(vendor), secret=SECRET)


def test_a_naive_datetime_is_refused_where_the_record_is_made(vendor: FakeVendor) -> None:
    class Naive(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            yield AccountRecord(external_id="1", first_seen=datetime(2026, 1, 1))

    with pytest.raises(ContractViolation, match="account 1: first_seen 2026-01-01T00:00:00 "
                                                "is naive"):
        run_fetch(Naive, options=serve(vendor), secret=SECRET)


def test_a_crash_is_a_plugin_error_with_the_secret_masked(vendor: FakeVendor) -> None:
    class Crashes(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            raise ValueError(f"cannot parse {ctx.reveal_secret()}")

    with pytest.raises(PluginCrashed) as caught:
        run_fetch(Crashes, options=serve(vendor), secret=SECRET)
    assert str(caught.value) == ("the plugin 'listing' failed (ValueError: cannot parse "
                                 "[redacted]); this is a bug in the plugin")
    assert "Traceback" in caught.value.details and "test_testing_kit.py" in caught.value.details
    assert_no_secret(SECRET, caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_options_are_checked_before_anything_runs(vendor: FakeVendor) -> None:
    with pytest.raises(ValidationError, match="'base_url' \\(Root\\) is required"):
        PluginRun(Listing, {}, SECRET)
    assert not vendor.requests


def test_no_secret_stored_is_a_config_error(vendor: FakeVendor) -> None:
    class NeedsIt(Listing):
        def fetch(self, ctx: PluginContext) -> Iterator[Record]:
            ctx.reveal_secret()
            yield from ()

    with pytest.raises(ConfigError, match="no secret is stored"):
        run_fetch(NeedsIt, options=serve(vendor), secret=None)


def test_a_check_may_return_a_sentence(vendor: FakeVendor) -> None:
    class Plain(Listing):
        def check(self, ctx: PluginContext) -> CheckResult:
            return "all good"  # type: ignore[return-value]

    assert run_check(Plain, options=serve(vendor), secret=SECRET) == CheckResult("all good")


def test_the_fake_vendor_records_unmatched_requests_and_uses_faults_in_order(
        vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.unavailable(), times=1)
    vendor.add("/x", Reply.throttle(1), times=1)
    vendor.add("/x", {"n": 1})
    vendor.add("/x", {"n": 2})  # added later: overrides
    with httpx.Client() as client:
        statuses = [client.get(vendor.url_for("/x")).status_code for _ in range(3)]
        assert client.get(vendor.url_for("/x")).json() == {"n": 2}
        assert client.get(vendor.url_for("/nowhere")).status_code == 404
    assert statuses == [503, 429, 200]
    assert [r.path for r in vendor.unmatched] == ["/nowhere"]


def test_a_sync_fetch_keeps_no_vendor_json(vendor: FakeVendor) -> None:
    options = serve(vendor)
    with PluginRun(Listing, options, SECRET) as run:
        kept = run.fetch()
    with PluginRun(Listing, options, SECRET) as run:
        dropped = run.fetch(keep_raw=False)
    assert [a.raw for a in kept.accounts] == PEOPLE
    assert [a.raw for a in dropped.accounts] == [{}] * len(PEOPLE)
    assert [a.email for a in dropped.accounts] == [p["email"] for p in PEOPLE]
