"""stackadmin:// links read back: the page and the ids the digest writes, and every bad link
refused in words."""

from __future__ import annotations

import pytest

from stackadmin.domain.links import AppLink, LinkError, parse_link


@pytest.mark.parametrize(("text", "page", "target"), [
    ("stackadmin://renewals?term_id=3", "renewals", {"term_id": 3}),
    ("stackadmin://savings?tool_id=4", "savings", {"tool_id": 4}),
    ("stackadmin://person?person_id=2", "person", {"person_id": 2}),
    ("stackadmin://connections?connection_id=1", "connections", {"connection_id": 1}),
    ("stackadmin://integrations", "integrations", {}),
    ("stackadmin://requests?request_id=2", "requests", {"request_id": 2}),
    ("stackadmin://tool?tool_id=5", "tool", {"tool_id": 5}),
    # As desktops and mail programs hand them over: spaces, a slash, capitals, no //.
    ("  STACKADMIN://Renewals/?term_id=3\n", "renewals", {"term_id": 3}),
    ("stackadmin:renewals?term_id=3", "renewals", {"term_id": 3}),
    ("stackadmin://dashboard/", "dashboard", {}),
])
def test_good_links(text: str, page: str, target: dict[str, int]) -> None:
    link = parse_link(text)
    assert link == AppLink(page, target)
    assert parse_link(link.text()) == link  # written back, read again: the same


def test_the_digests_links_read_back() -> None:
    from stackadmin.services.digest.sections import link

    for page, target in [("renewals", {"term_id": 3}), ("savings", {"tool_id": 4}),
                         ("person", {"person_id": 2}), ("integrations", {}),
                         ("connections", {"connection_id": 1}),
                         ("requests", {"request_id": 2})]:
        assert parse_link(link(page, **target)) == AppLink(page, target)


@pytest.mark.parametrize(("text", "words"), [
    ("", "the link is empty"),
    ("https://example.com/renewals", "'https://example.com/renewals' is not a stackadmin:// "
                                     "link"),
    ("renewals?term_id=3", "is not a stackadmin:// link"),
    ("stackadmin://", "'stackadmin://' names no page"),
    ("stackadmin://nope?id=1", "'nope' is not a page of stackadmin (the link was "
                               "'stackadmin://nope?id=1')"),
    ("stackadmin://renewals/3", "names more than a page"),
    ("stackadmin://renewals?term_id=x", "'x' is not a term id (a whole number from 1"),
    ("stackadmin://renewals?term_id=-3", "'-3' is not a term id"),
    ("stackadmin://renewals?term_id=0", "'0' is not a term id"),
    ("stackadmin://renewals?term_id=99999999999", "'99999999999' is not a term id"),
    ("stackadmin://renewals?term_id=%D9%A3", "'٣' is not a term id"),  # an Arabic 3
    ("stackadmin://renewals?term_id=", "'' is not a term id"),
    ("stackadmin://renewals?term_id", "is not of the form name=value"),
    ("stackadmin://renewals?tool_id=3", "the renewals page takes term_id, not 'tool_id'"),
    ("stackadmin://integrations?id=1", "the integrations page takes nothing after it, not "
                                       "'id'"),
    ("stackadmin://renewals?term_id=3&term_id=4", "gives term_id twice"),
    ("stackadmin://person", "the person page needs person_id"),
    ("stackadmin://" + "x" * 300, "…"),  # a long one is cut in the message
])
def test_bad_links_are_refused_in_words(text: str, words: str) -> None:
    with pytest.raises(LinkError) as refused:
        parse_link(text)
    assert words in str(refused.value)
    assert len(str(refused.value)) < 300

