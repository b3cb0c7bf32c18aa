"""Sending one message over SMTP: STARTTLS or implicit TLS, certificates verified, the login
from the settings and the password from the OS keyring; every failure told in words, with
the server's own words when it answered."""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from stackadmin.domain.vocab import SmtpSecurity
from stackadmin.errors import UserError

TIMEOUT_S = 30.0


class SendError(UserError):
    """The message was not sent; the text says why (the server's words when it gave any)."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: SmtpSecurity
    user: str
    password: str | None  # never logged, never in an error
    sender: str

    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _server_words(exc: smtplib.SMTPResponseException) -> str:
    raw = exc.smtp_error
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return f"{exc.smtp_code} {' '.join(text.split())}"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _login(client: smtplib.SMTP, user: str, password: str, where: str) -> None:
    """Logs in. Python's SMTP client sends a login and password in ASCII only (anything
    else raised UnicodeEncodeError); they are then sent as UTF-8 (RFC 4616), by AUTH PLAIN or
    AUTH LOGIN, whichever the server offers."""
    if user.isascii() and password.isascii():
        client.login(user, password)
        return
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    offered = client.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in offered:
        code, resp = client.docmd("AUTH", "PLAIN " + _b64(f"\0{user}\0{password}"))
    elif "LOGIN" in offered:
        code, resp = client.docmd("AUTH", "LOGIN " + _b64(user))
        if code == 334:
            code, resp = client.docmd(_b64(password))
    else:
        raise SendError(f"the mail server {where} offers no login method that takes "
                        f"characters other than ASCII (it offers {', '.join(offered) or 'none'}),"
                        " and the login or the password holds some")
    if code not in (235, 503):  # 503: already logged in
        raise smtplib.SMTPAuthenticationError(code, resp)


def send(config: SmtpConfig, message: EmailMessage, recipients: list[str], *,
         context: ssl.SSLContext | None = None, timeout: float = TIMEOUT_S) -> None:
    """Sends `message` to `recipients`, or raises SendError in words. `context`: the TLS
    settings (default: the system's trusted certificates, host names checked)."""
    tls = context or ssl.create_default_context()
    where = config.where()
    try:
        config.host.encode("idna")  # what the connection does with it (UnicodeError before)
    except UnicodeError:
        raise SendError(f"the mail server's name {config.host} is not a host name (an empty "
                        "or too long part): check smtp_host") from None
    try:
        if config.security is SmtpSecurity.TLS:
            client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=timeout,
                                                    context=tls)
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=timeout)
        with client:
            client.ehlo()
            if config.security is SmtpSecurity.STARTTLS:
                if not client.has_extn("starttls"):
                    raise SendError(f"the mail server {where} does not offer STARTTLS; "
                                    "stackadmin sends only over an encrypted connection (use "
                                    "smtp_security tls with the server's TLS port, often 465)")
                client.starttls(context=tls)
                client.ehlo()
            if config.user:
                if config.password is None:
                    raise SendError(
                        f"no password for {config.user} on {where} in the OS keyring: store "
                        "it with `stackadmin settings set-secret smtp_password --secret-stdin`")
                _login(client, config.user, config.password, where)
            refused = client.send_message(message, from_addr=config.sender,
                                          to_addrs=recipients)
            if refused:
                words = "; ".join(f"{addr}: {code} {msg.decode('utf-8', 'replace')}"
                                  for addr, (code, msg) in refused.items())
                raise SendError(f"the mail server {where} refused some recipients ({words}); "
                                "the others got the digest")
    except SendError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"the mail server {where} refused the login for {config.user}: "
                        f"{_server_words(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        words = "; ".join(f"{addr}: {code} {msg.decode('utf-8', 'replace')}"
                          for addr, (code, msg) in exc.recipients.items())
        raise SendError(f"the mail server {where} refused every recipient ({words})") from None
    except smtplib.SMTPSenderRefused as exc:
        raise SendError(f"the mail server {where} refused the sender {config.sender}: "
                        f"{_server_words(exc)}") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"the mail server {where} answered {_server_words(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"the mail server {where} refused a step of sending: {exc} (a login "
                        "needs an encrypted connection the server offers it on)") from None
    except ssl.SSLCertVerificationError as exc:
        raise SendError(f"the mail server {where}'s certificate could not be verified "
                        f"({exc.verify_message}); stackadmin checks certificates always")\
            from None
    except ssl.SSLError as exc:
        raise SendError(f"no TLS connection to the mail server {where} ({exc.reason or exc}); "
                        "check smtp_security (starttls or tls) and the port") from None
    except ConnectionRefusedError:
        raise SendError(f"could not connect to the mail server {where}: the connection was "
                        "refused (check smtp_host and smtp_port)") from None
    except TimeoutError:
        raise SendError(f"the mail server {where} did not answer within {timeout:.0f} "
                        "seconds") from None
    except socket.gaierror:
        raise SendError(f"the mail server's name {config.host} could not be resolved") \
            from None
    except smtplib.SMTPServerDisconnected as exc:
        raise SendError(f"the mail server {where} closed the connection ({exc})") from None
    except OSError as exc:
        raise SendError(f"could not reach the mail server {where}: "
                        f"{exc.strerror or exc}") from None
