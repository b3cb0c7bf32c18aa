"""The one-line messages a later `stackadmin gui` hands to the window already open: what is
sent comes back the same, and anything that is not exactly such a line is refused in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain.handoff import (
    MAX_LINE,
    OK,
    HandoffError,
    Request,
    parse_answer,
    parse_request,
    refusal,
)


def _line(request: Request) -> bytes:
    data = request.encode()
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    return data[:-1]


@pytest.mark.parametrize("request_", [
    Request(),
    Request("stackadmin://renewals?term_id=3"),
    Request("stackadmin://renewals?term_id=3", token="kwin-8a1f_TIME1234"),
    Request(None, token="t0k3n"),
    Request("not a link at all, with spaces"),  # the window judges the link, not the line
    Request("stackadmin://person?person_id=2&x=%41 é\n\r\t"),
    Request(""),
])
def test_a_request_comes_back_as_it_was_sent(request_: Request) -> None:
    assert parse_request(_line(request_)) == request_


def test_the_line_is_printable_ascii_with_the_link_percent_encoded() -> None:
    data = Request("stackadmin://renewals?term_id=3").encode()
    assert data == b"stackadmin/1 open link=stackadmin%3A%2F%2Frenewals%3Fterm_id%3D3\n"
    assert Request().encode() == b"stackadmin/1 show\n"


@given(st.text(max_size=300), st.text(alphabet=st.characters(min_codepoint=0x21,
                                                             max_codepoint=0x7E), max_size=80))
def test_any_link_and_token_survive_the_line(link: str, token: str) -> None:
    request = Request(link, token)
    assert parse_request(_line(request)) == request


def test_text_that_was_not_utf8_goes_over_as_replacement_characters() -> None:
    undecodable = "stackadmin://renewals?term_id=\udcff"  # a surrogate escape from argv
    assert parse_request(_line(Request(undecodable))).link == "stackadmin://renewals?term_id=?"


def test_a_link_too_long_for_the_line_is_refused_before_sending() -> None:
    with pytest.raises(HandoffError, match=r"too long to be one of stackadmin's \(5000 char"):
        Request("x" * 5000).encode()


@pytest.mark.parametrize(("line", "words"), [
    (b"", "the message is empty"),
    (b"GET / HTTP/1.1", "'GET / HTTP/1.1' is not a message stackadmin sends"),
    (b"show", "'show' is not a message stackadmin sends"),
    (b"stackadmin/2 show", "from another version of stackadmin (stackadmin/2; this one speaks "
                           "stackadmin/1)"),
    (b"stackadmin/1", "'' is not something the window does (it takes show or open)"),
    (b"stackadmin/1 run rm -rf ~", "'run' is not something the window does"),
    (b"stackadmin/1 open", "asks to open a link but gives none"),
    (b"stackadmin/1 show link=stackadmin%3A%2F%2Ftools", "asks only to show the window but "
                                                        "gives a link"),
    (b"stackadmin/1 open link=a link=b", "gives link twice"),
    (b"stackadmin/1 open link=a command=rm", "'command=rm' is not part of a message"),
    (b"stackadmin/1 open link", "'link' is not part of a message"),
    (b"stackadmin/1  show", "'' is not something the window does"),
    (b"stackadmin/1 open link=%FF%FE", "the link in the message is not UTF-8 text"),
    (b"stackadmin/1 show token=a%0Ab", "the activation token in the message is not one"),
    (b"stackadmin/1 show token=" + b"a" * 600, "the activation token in the message is not"),
    (b"stackadmin/1 open link=x\tq", "holds characters that one never does"),
    (b"\xff\xfe\x00garbage", "'???garbage' is not a message stackadmin sends (it holds"),
    (b"stackadmin/1 open link=caf\xc3\xa9", "holds characters that one never does"),
    (b"stackadmin/1 open link=" + b"a" * MAX_LINE, f"longer than {MAX_LINE} bytes"),
])
def test_anything_else_is_refused_in_words(line: bytes, words: str) -> None:
    with pytest.raises(HandoffError) as caught:
        parse_request(line)
    assert words in str(caught.value)


def test_a_refused_message_is_shown_cut_and_printable() -> None:
    with pytest.raises(HandoffError) as caught:
        parse_request(b"\x1b[31m" + b"A" * 200)
    said = str(caught.value)
    assert "\x1b" not in said and len(said) < 120 and "…" in said


def test_answers() -> None:
    assert parse_answer(OK.rstrip(b"\n")) is None
    answer = refusal("the message is\nempty")
    assert answer == b"refused the message is empty\n"
    assert parse_answer(answer.rstrip(b"\n")) == "the message is empty"
    assert parse_answer(refusal("x" * 1000).rstrip(b"\n")).endswith("…")
    with pytest.raises(HandoffError, match="not an answer stackadmin gives"):
        parse_answer(b"HTTP/1.1 400 Bad Request")
