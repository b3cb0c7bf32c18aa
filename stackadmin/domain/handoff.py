"""What a later `stackadmin gui` tells the window already open on its database (carried by
stackadmin.ui.handoff over a local socket): one line of UTF-8 each way.

    → stackadmin/1 show                           come to the front
    → stackadmin/1 open link=stackadmin%3A%2F%2Frenewals%3Fterm_id%3D3
                                                  open this link, and come to the front
      (either may end with token=…: the desktop's activation token, which lets the window
      take the focus on Wayland)
    ← ok
    ← refused <why, in words>

Values are percent-encoded: a request is printable ASCII, its fields separated by single
spaces, ended by the one line break. `parse_request` takes that and nothing else; anything
else is refused in words and never acted on. What the link says is the window's to judge
(stackadmin.domain.links, as for a link given at start).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

PROTOCOL = "stackadmin/1"
MAX_LINE = 4096  # bytes, line break included: a link is some 60, a token some 100
MAX_TOKEN = 512
_VERBS = ("show", "open")
_FIELDS = ("link", "token")


class HandoffError(ValueError):
    """A message that is not one stackadmin sends; the text says what is wrong, in words."""


@dataclass(frozen=True, slots=True)
class Request:
    """What a later start asks of the open window: come to the front, and open `link`."""

    link: str | None = None  # None: only come to the front
    token: str = ""  # XDG_ACTIVATION_TOKEN of the process that asks, when it has one

    def encode(self) -> bytes:
        """The line that carries this request (line break included); HandoffError when it
        would be longer than MAX_LINE (a link no page of stackadmin has)."""
        fields = [PROTOCOL, "show" if self.link is None else "open"]
        if self.link is not None:
            # Text from the command line that was not UTF-8 (surrogate escapes) goes over as
            # U+FFFD: such a link is no link of stackadmin's, and the window says so.
            fields.append("link=" + quote(self.link, safe="", errors="replace"))
        if self.token:
            fields.append("token=" + quote(self.token, safe="", errors="replace"))
        line = (" ".join(fields) + "\n").encode("ascii")
        if len(line) > MAX_LINE:
            raise HandoffError(f"the link is too long to be one of stackadmin's "
                               f"({len(self.link or '')} characters)")
        return line


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(raw: bytes) -> str:
    """Some of a refused message, safe to show: printable ASCII only, cut short."""
    return _cut("".join(chr(b) if 0x20 <= b < 0x7F else "?" for b in raw[:60]))


def parse_request(line: bytes) -> Request:
    """One request line (its line break removed) → Request; HandoffError, in words, for
    anything that is not exactly such a line."""
    if len(line) >= MAX_LINE:
        raise HandoffError(f"the message is longer than {MAX_LINE} bytes")
    if not line:
        raise HandoffError("the message is empty")
    if any(b < 0x20 or b >= 0x7F for b in line):
        raise HandoffError(f"'{_shown(line)}' is not a message stackadmin sends "
                           "(it holds characters that one never does)")
    text = line.decode("ascii")
    parts = text.split(" ")
    if parts[0] != PROTOCOL:
        if parts[0].startswith("stackadmin/"):
            raise HandoffError(f"the message is from another version of stackadmin "
                               f"({_cut(parts[0], 20)}; this one speaks {PROTOCOL})")
        raise HandoffError(f"'{_shown(line)}' is not a message stackadmin sends")
    if len(parts) < 2 or parts[1] not in _VERBS:
        verb = parts[1] if len(parts) > 1 else ""
        raise HandoffError(f"'{_cut(verb, 20)}' is not something the window does "
                           f"(it takes {' or '.join(_VERBS)})")
    values: dict[str, str] = {}
    for field in parts[2:]:
        name, equals, value = field.partition("=")
        if not equals or name not in _FIELDS:
            raise HandoffError(f"'{_cut(field, 20)}' is not part of a message stackadmin "
                               "sends")
        if name in values:
            raise HandoffError(f"the message gives {name} twice")
        try:
            values[name] = unquote(value, errors="strict")
        except UnicodeDecodeError:
            raise HandoffError(f"the {name} in the message is not UTF-8 text") from None
    token = values.get("token", "")
    if len(token) > MAX_TOKEN or any(not 0x21 <= ord(c) < 0x7F for c in token):
        raise HandoffError("the activation token in the message is not one a desktop gives")
    if parts[1] == "open":
        if "link" not in values:
            raise HandoffError("the message asks to open a link but gives none")
        return Request(values["link"], token)
    if "link" in values:
        raise HandoffError("the message asks only to show the window but gives a link")
    return Request(None, token)


OK = b"ok\n"


def refusal(reason: str) -> bytes:
    """The answer that refuses a request, with its reason (one line)."""
    words = " ".join(reason.split())
    return f"refused {_cut(words, 400)}\n".encode()


def parse_answer(line: bytes) -> str | None:
    """The window's answer (its line break removed): None when it took the request, the
    reason in words when it refused it; HandoffError when it is neither."""
    text = line.decode("utf-8", "replace").strip()
    if text == "ok":
        return None
    if text.startswith("refused "):
        return text.removeprefix("refused ").strip() or "no reason given"
    raise HandoffError(f"'{_cut(text)}' is not an answer stackadmin gives")
