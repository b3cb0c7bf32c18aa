"""The digest as an e-mail: plain text and HTML (one narrow column, large enough type and
no tables, so it reads on a phone), in one multipart message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape

from stackadmin.services.digest.sections import Section

_URGENT = "#b91c1c"
_MUTED = "#555555"


@dataclass(frozen=True, slots=True)
class Digest:
    as_of: date
    since: date
    base_currency: str
    sections: list[Section]

    @property
    def empty(self) -> bool:
        return not self.sections

    @property
    def subject(self) -> str:
        if self.empty:
            return f"stackadmin digest {self.as_of.isoformat()}: nothing needs you"
        heads = "; ".join(s.summary for s in self.sections[:2])
        more = f" (+{len(self.sections) - 2} more)" if len(self.sections) > 2 else ""
        return f"stackadmin digest {self.as_of.isoformat()}: {heads}{more}"

    def text(self) -> str:
        lines = [f"stackadmin digest for {self.as_of.isoformat()} "
                 f"(since {self.since.isoformat()})",
                 f"Amounts in {self.base_currency}, a year unless said otherwise.", ""]
        if self.empty:
            lines.append("Nothing needs you: no renewal to decide, no unused seat, no failed "
                         "sync, no broken connection, nobody who left holds a seat.")
        for section in self.sections:
            lines.append(f"{section.title.upper()} — {section.summary}")
            for item in section.items:
                lines.append(f"- {item.text}")
                if item.detail:
                    lines.append(f"  {item.detail}")
                if item.link:
                    lines.append(f"  {item.link}")
            if section.more:
                lines.append(f"- and {section.more} more (open stackadmin for the list)")
            if section.note:
                lines.append(section.note)
            lines.append("")
        lines.append("Sent by stackadmin. Change the recipients or the frequency in "
                     "Settings, or with `stackadmin settings set digest_recipients ...`.")
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        out = [
            "<!DOCTYPE html>",
            "<html><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            f"<title>{escape(self.subject)}</title></head>",
            "<body style=\"margin:0;padding:0;background:#f4f4f5;\">",
            "<div style=\"max-width:600px;margin:0 auto;padding:16px;background:#ffffff;"
            "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;"
            "font-size:16px;line-height:1.45;color:#111111;\">",
            f"<h1 style=\"font-size:22px;margin:0 0 4px 0;\">stackadmin digest "
            f"{self.as_of.isoformat()}</h1>",
            f"<p style=\"margin:0 0 16px 0;color:{_MUTED};font-size:14px;\">Since "
            f"{self.since.isoformat()} · amounts in {escape(self.base_currency)}, a year "
            "unless said otherwise</p>",
        ]
        if self.empty:
            out.append("<p>Nothing needs you: no renewal to decide, no unused seat, no failed "
                       "sync, no broken connection, nobody who left holds a seat.</p>")
        for section in self.sections:
            out.append(f"<h2 style=\"font-size:18px;margin:20px 0 2px 0;\">"
                       f"{escape(section.title)}</h2>")
            out.append(f"<p style=\"margin:0 0 8px 0;color:{_MUTED};font-size:14px;\">"
                       f"{escape(section.summary)}</p>")
            for item in section.items:
                colour = _URGENT if item.urgent else "#111111"
                text = escape(item.text)
                if item.link:
                    text = (f"<a href=\"{escape(item.link)}\" style=\"color:{colour};"
                            f"text-decoration:none;\">{text}</a>")
                out.append(
                    "<div style=\"padding:8px 0;border-top:1px solid #e4e4e7;\">"
                    f"<div style=\"font-weight:600;color:{colour};\">{text}</div>"
                    + (f"<div style=\"font-size:14px;color:{_MUTED};\">"
                       f"{escape(item.detail)}</div>" if item.detail else "")
                    + "</div>")
            if section.more:
                out.append(f"<p style=\"margin:4px 0;font-size:14px;\">and {section.more} more "
                           "(open stackadmin for the list)</p>")
            if section.note:
                out.append(f"<p style=\"margin:6px 0 0 0;font-weight:600;\">"
                           f"{escape(section.note)}</p>")
        out.append(f"<p style=\"margin:24px 0 0 0;font-size:13px;color:{_MUTED};\">Sent by "
                   "stackadmin. Change the recipients or the frequency in Settings.</p>")
        out.append("</div></body></html>")
        return "\n".join(out) + "\n"

    def message(self, sender: str, recipients: list[str]) -> EmailMessage:
        from datetime import UTC, datetime

        msg = EmailMessage()
        msg["Subject"] = self.subject
        msg["From"] = sender
        msg["To"] = ", ".join(recipients)
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        msg.set_content(self.text())
        msg.add_alternative(self.html(), subtype="html")
        return msg
