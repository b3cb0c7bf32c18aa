"""Composing and sending the digest: the settings it needs, when it is due, each attempt
recorded (and audited), a failure told once and retried at the next run."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from stackadmin.domain.vocab import DigestFrequency, DigestOutcome, SmtpSecurity
from stackadmin.errors import UserError, ValidationError
from stackadmin.secrets import SecretStore
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.digest import mail
from stackadmin.services.digest.render import Digest
from stackadmin.services.digest.sections import SECTIONS, Source, period_start
from stackadmin.services.inventory import settings
from stackadmin.store.models import DigestSend

PERIOD_DAYS = {DigestFrequency.DAILY: 1, DigestFrequency.WEEKLY: 7,
               DigestFrequency.MONTHLY: 31}


@dataclass(frozen=True, slots=True)
class DigestSettings:
    recipients: list[str]
    frequency: DigestFrequency
    host: str
    port: int
    security: SmtpSecurity
    user: str
    sender: str

    @property
    def configured(self) -> bool:
        return bool(self.recipients and self.host and self.sender)


@dataclass(frozen=True, slots=True)
class SendRow:
    id: int
    at: datetime
    as_of: date
    recipients: str
    outcome: str
    error: str | None
    reported: bool


def digest_settings(ctx: ServiceContext) -> DigestSettings:
    values = settings.all_settings(ctx)
    user = values["smtp_user"]
    sender = values["smtp_from"] or (user if "@" in user else "")
    return DigestSettings(
        recipients=[a for a in values["digest_recipients"].split(",") if a],
        frequency=DigestFrequency(values["digest_frequency"]),
        host=values["smtp_host"], port=int(values["smtp_port"]),
        security=SmtpSecurity(values["smtp_security"]), user=user, sender=sender)


def _last(ctx: ServiceContext, outcome: DigestOutcome | None = None) -> SendRow | None:
    query = select(DigestSend).order_by(DigestSend.at.desc(), DigestSend.id.desc()).limit(1)
    if outcome is not None:
        query = query.where(DigestSend.outcome == outcome.value)
    with ctx.read() as session:
        row = session.scalars(query).first()
        return None if row is None else SendRow(row.id, row.at, row.as_of, row.recipients,
                                                row.outcome, row.error, row.reported)


def last_sent(ctx: ServiceContext) -> SendRow | None:
    """The last digest the team received: sent to every recipient set now, for a day that
    has come. A one-off (`--to` someone else, or `--as-of` a day ahead) neither makes the
    team's digest wait for the next period nor moves what the next one covers."""
    team = set(digest_settings(ctx).recipients)
    today = ctx.today()
    query = (select(DigestSend).where(DigestSend.outcome == DigestOutcome.SENT.value,
                                      DigestSend.as_of <= today)
             .order_by(DigestSend.at.desc(), DigestSend.id.desc()))
    with ctx.read() as session:
        for row in session.scalars(query).yield_per(100):
            if team <= set(row.recipients.split(",")):
                return SendRow(row.id, row.at, row.as_of, row.recipients, row.outcome,
                               row.error, row.reported)
    return None


def compose(ctx: ServiceContext, as_of: date | None = None) -> Digest:
    """Every section with something to say, as of a day (today by default), covering the
    time since the last digest sent (one period back when none was)."""
    day = as_of or ctx.today()
    conf = digest_settings(ctx)
    previous = last_sent(ctx)
    since = period_start(day, PERIOD_DAYS[conf.frequency],
                         None if previous is None else previous.as_of)
    base = settings.current(ctx).base_currency
    source = Source(ctx, day, base, since)
    sections = [s for s in (fn(source) for fn in SECTIONS) if s is not None]
    return Digest(day, since, base, sections)


def is_due(ctx: ServiceContext, today: date | None = None) -> bool:
    """Configured, and no digest sent within the period (daily: today; weekly: the last 7
    days; monthly: this calendar month). A failed attempt leaves it due: the next run
    retries."""
    conf = digest_settings(ctx)
    if not conf.configured:
        return False
    day = today or ctx.today()
    previous = last_sent(ctx)
    if previous is None:
        return True
    if conf.frequency is DigestFrequency.DAILY:
        return previous.as_of < day
    if conf.frequency is DigestFrequency.WEEKLY:
        return previous.as_of <= day - timedelta(days=7)
    return previous.as_of < day.replace(day=1)


@dataclass(frozen=True, slots=True)
class SendResult:
    digest: Digest
    recipients: list[str]
    sender: str


def _record(ctx: ServiceContext, day: date, recipients: list[str], outcome: DigestOutcome,
            error: str | None) -> None:
    with ctx.transaction() as session:
        row = DigestSend(as_of=day, recipients=",".join(recipients), outcome=outcome.value,
                         error=error)
        session.add(row)
        session.flush()
        audit.record(session, ctx, action=f"digest_{outcome.value}", entity="digest",
                     entity_id=row.id,
                     summary=(f"digest {day.isoformat()} sent to {', '.join(recipients)}"
                              if outcome is DigestOutcome.SENT else
                              f"digest {day.isoformat()} not sent: {error}"))


def send_digest(ctx: ServiceContext, *, to: list[str] | None = None,
                as_of: date | None = None, secrets: SecretStore | None = None,
                tls: ssl.SSLContext | None = None) -> SendResult:
    """Composes and sends the digest (to `to`, else the set recipients), and records the
    attempt. A failure is recorded and raised as mail.SendError in words."""
    from stackadmin.domain.values import normalize_email

    conf = digest_settings(ctx)
    recipients = [normalize_email(a) for a in to] if to else conf.recipients
    problems = []
    if not recipients:
        problems.append("no recipients: set them with `stackadmin settings set "
                        "digest_recipients ADDRESS,...` or give --to")
    if not conf.host:
        problems.append("no mail server: set smtp_host (and smtp_port, smtp_security, "
                        "smtp_user)")
    if not conf.sender:
        problems.append("no sender address: set smtp_from (or an smtp_user that is an "
                        "address)")
    if problems:
        raise ValidationError(problems)
    digest = compose(ctx, as_of)
    try:
        password = settings.get_secret("smtp_password", secrets) if conf.user else None
    except UserError as exc:
        # No keyring, or a locked one: a failed send like the server's refusals, recorded so
        # that the app tells it once and the next run tries again.
        error = f"the password for {conf.user} could not be read: {exc}"
        _record(ctx, digest.as_of, recipients, DigestOutcome.FAILED, error)
        raise mail.SendError(error) from None
    config = mail.SmtpConfig(conf.host, conf.port, conf.security, conf.user, password,
                             conf.sender)
    try:
        mail.send(config, digest.message(conf.sender, recipients), recipients, context=tls)
    except mail.SendError as exc:
        _record(ctx, digest.as_of, recipients, DigestOutcome.FAILED, str(exc))
        raise
    _record(ctx, digest.as_of, recipients, DigestOutcome.SENT, None)
    return SendResult(digest, recipients, conf.sender)


def failure_to_report(ctx: ServiceContext) -> SendRow | None:
    """The latest failed attempt, when it is newer than the last success and was not told
    yet; the same failure again (same words) is not told twice."""
    latest = _last(ctx)
    if latest is None or latest.outcome != DigestOutcome.FAILED.value or latest.reported:
        return None
    with ctx.read() as session:
        told = session.scalars(
            select(DigestSend).where(DigestSend.outcome == DigestOutcome.FAILED.value,
                                     DigestSend.reported.is_(True))
            .order_by(DigestSend.id.desc()).limit(1)).first()
        success = last_sent(ctx)
        if (told is not None and told.error == latest.error
                and (success is None or told.at > success.at)):
            return None
    return latest


def mark_reported(ctx: ServiceContext) -> None:
    """Every failed attempt so far has been told to the user."""
    with ctx.transaction() as session:
        session.execute(update(DigestSend).where(
            DigestSend.outcome == DigestOutcome.FAILED.value,
            DigestSend.reported.is_(False)).values(reported=True))
