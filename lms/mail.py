"""Email in the recipient's language, with a plain-text part.

Messages go through SMTP when ``LMS_SMTP_HOST`` is set. Without it they are written
to ``<instance>/outbox/`` as ``.eml`` files, so that the demo works on a laptop.

A request never talks to the mail server itself: it hands the mail to
:func:`send_later` inside its transaction, and once that commits the mail is a job on
the ``mail`` queue (:func:`deliver`), so that a slow or absent server slows no
page. Jobs and commands (which nobody waits for) call :func:`send_to_user`.
"""

from __future__ import annotations

import enum
import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from pkgutil import resolve_name
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from lms.accounts.models import TokenPurpose, User
from lms.db import SessionLike, after_commit, after_rollback, utcnow
from lms.extensions import Model, db

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """A message could not be handed to the mail server."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str  # e.g. "text/calendar; method=REQUEST"


def render_mail(user: User, template: str, **context: object) -> tuple[str, str, str | None]:
    """(subject, text, html) of ``templates/mail/<template>.*`` in the user's language."""
    with force_locale(str(user.locale)):
        from lms.urls import external_url

        context = {"user": user, "base_url": current_app.config["LMS_BASE_URL"],
                   "privacy_url": external_url("public.privacy_notice"), **context}
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        try:
            html = render_template(f"mail/{template}.html", **context)
        except TemplateNotFound:
            html = None
    return " ".join(subject.split()), text, html


def send_to_user(
    user: User, template: str, *, attachments: tuple[Attachment, ...] = (), **context: object
) -> EmailMessage:
    """Render and send now (raises MailError): for jobs and commands; a request uses
    :func:`send_later`."""
    subject, text, html = render_mail(user, template, **context)
    return send_message(user.email, subject, text, html, attachments)


def build_message(
    to: str, subject: str, text: str, html: str | None = None,
    attachments: tuple[Attachment, ...] = (), now: datetime | None = None,
) -> EmailMessage:
    sender = current_app.config["LMS_MAIL_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now or utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">"))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, rest = attachment.mimetype.partition("/")
        subtype, *params = [p.strip() for p in rest.split(";")]
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype,
            filename=attachment.filename, params=extra,
        )
    return message


def send_message(
    to: str, subject: str, text: str, html: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    message = build_message(to, subject, text, html, attachments)
    config = current_app.config
    if not config["LMS_SMTP_HOST"]:
        _write_to_outbox(message)
        return message
    try:
        _deliver(message)
    except (OSError, smtplib.SMTPException) as exc:
        # (the address is not logged: logs are read by more people than the mailbox)
        current_app.logger.warning("a mail could not be sent: %s", exc)
        raise MailError(str(exc)) from exc
    return message


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    host, port, tls = config["LMS_SMTP_HOST"], config["LMS_SMTP_PORT"], config["LMS_SMTP_TLS"]
    context = ssl.create_default_context()
    if tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=20, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=20)
    with smtp:
        if tls == "starttls":
            smtp.starttls(context=context)
        if config["LMS_SMTP_USER"]:
            smtp.login(config["LMS_SMTP_USER"], config["LMS_SMTP_PASSWORD"])
        smtp.send_message(message)


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _write_to_outbox(message: EmailMessage) -> None:
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
    (folder / name).write_bytes(message.as_bytes())
    current_app.logger.info("a mail was written to %s", folder / name)


# --------------------------------------------------------------------------- later


DELIVER = "lms.mail.deliver"


class Sending(enum.Enum):
    """What became of a mail handed to :func:`send_later`."""

    WAITING = "waiting"  # for its transaction to commit
    QUEUED = "queued"  # a job on the mail queue: a worker sends it (and retries)
    SENT = "sent"  # sent at once (no Redis; or a queue that runs jobs at once)
    FAILED = "failed"  # sent at once, and the mail server refused or did not answer
    DROPPED = "dropped"  # its transaction was rolled back: nothing to announce


@dataclass
class Outgoing:
    """A mail handed to :func:`send_later`; after the commit, ``state`` says whether it
    was queued or sent (so that a page says "is being sent" or "has been sent")."""

    user_id: int
    template: str
    state: Sending = Sending.WAITING


@dataclass(frozen=True)
class OneTimeLink:
    """The link of a one-time token in a mail, by the token row's id. The job gives the
    row a new secret just before it renders the mail
    (:func:`lms.accounts.tokens.renew_secret`): no secret ever waits in Redis, a retry
    sends a link that works, and a link withdrawn in the meantime is not sent."""

    token_id: int
    endpoint: str  # e.g. "public.invitation"; the token is its ``token`` argument

    @classmethod
    def of(cls, token: str, purpose: TokenPurpose, endpoint: str) -> OneTimeLink:
        from lms.accounts.tokens import find_token

        return cls(find_token(token, purpose).id, endpoint)


def send_later(user: User, template: str, **context: object) -> Outgoing:
    """Send ``templates/mail/<template>.*`` to ``user`` once the current transaction
    commits (nothing if it is rolled back): as a job on the mail queue, or at once when
    there is no Redis. ``context`` holds plain values (text, numbers, dates, lists and
    dicts of them), rows (sent as their id and read again, in the recipient's language)
    and enum members; a one-time link is a :class:`OneTimeLink`. Call it inside the
    transaction, before the commit; the returned :class:`Outgoing` then says what became
    of the mail."""
    outgoing = Outgoing(user.id, template)
    payload = (user.id, template, encode(context))

    def hand_over() -> None:
        outgoing.state = _dispatch(*payload)

    def drop() -> None:
        outgoing.state = Sending.DROPPED

    after_commit(db.session, hand_over)
    after_rollback(db.session, drop)
    return outgoing


def _dispatch(user_id: int, template: str, context: dict[str, Any]) -> Sending:
    import redis

    from lms.jobs.queue import FAILURE_TTL, MAIL, enqueue, get_queue, queued, run_inline

    # (A queue that runs its jobs at once, as under TESTING, is as good as none.)
    if queued() and get_queue(MAIL).is_async:
        try:
            # Nothing of a sent mail is kept in Redis (result_ttl=0); a mail that failed
            # for good stays for FAILURE_TTL, with ids and plain values only (no secret).
            enqueue(MAIL, DELIVER, user_id, template, context, result_ttl=0,
                    failure_ttl=FAILURE_TTL)
        except redis.RedisError as exc:
            log.warning("the mail queue cannot be reached (%s); a %s mail to user %s is "
                        "sent at once", type(exc).__name__, template, user_id)
        else:
            return Sending.QUEUED
    return Sending.SENT if run_inline(DELIVER, user_id, template, context) else Sending.FAILED


def deliver(user_id: int, template: str, context: dict[str, Any]) -> None:
    """The job of :func:`send_later` (queue ``mail``): the rows read again, a one-time
    link given its secret (committed before the mail leaves), the mail rendered in the
    recipient's language and sent. A MailError is raised for RQ to retry after the
    configured pauses; the last failure is logged as an error. A mail whose person, row
    or link is gone is not sent.

    It works in an application context (and database session) of its own: sent at once,
    it runs inside the commit of the request."""
    with current_app.app_context():
        _deliver_now(user_id, template, context)


def _deliver_now(user_id: int, template: str, context: dict[str, Any]) -> None:
    from lms.jobs.queue import attempt_number, final_attempt

    user = db.session.get(User, user_id)
    if user is None:
        log.info("a %s mail was not sent: user %s is gone", template, user_id)
        return
    try:
        values = decode(context)
    except Unsendable as exc:
        db.session.rollback()
        log.info("a %s mail to user %s was not sent: %s", template, user_id, exc)
        return
    db.session.commit()  # (a renewed link must work before anyone can click it)
    try:
        send_to_user(user, template, **values)
    except MailError:
        if final_attempt():
            log.error("a %s mail to user %s could not be sent (attempt %s, the last)",
                      template, user_id, attempt_number())
        else:
            log.warning("a %s mail to user %s could not be sent (attempt %s); it will be "
                        "tried again", template, user_id, attempt_number())
        raise
    log.info("mail %s sent to user %s", template, user_id)


class Unsendable(Exception):
    """A mail's row or link is no longer there: nothing to send."""


def _dotted(kind: type) -> str:
    return f"{kind.__module__}:{kind.__qualname__}"


def encode(value: Any) -> Any:
    """``value`` as JSON: plain values as they are, a row as its class and id, an enum
    member as its class and value, instants and days in ISO 8601."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, OneTimeLink):
        return {"$link": [value.token_id, value.endpoint]}
    if isinstance(value, Model):
        identity = sa.inspect(value).identity
        if identity is None or len(identity) != 1:
            raise TypeError(f"a {type(value).__name__} without its id cannot go into a mail")
        return {"$row": [_dotted(type(value)), identity[0]]}
    if isinstance(value, enum.Enum):
        return {"$enum": [_dotted(type(value)), value.value]}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        if any(k.startswith("$") for k in value):
            raise TypeError("a mail's context has no keys starting with $")
        return {k: encode(v) for k, v in value.items()}
    raise TypeError(f"a mail's context holds ids and plain values, not {type(value).__name__}")


def decode(value: Any, session: SessionLike | None = None) -> Any:
    """The values :func:`encode` made, read again (raises Unsendable for a row or link
    that is gone)."""
    session = session or db.session
    if isinstance(value, list):
        return [decode(v, session) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        [(key, item)] = value.items()
        if key == "$link":
            return _link(*item)
        if key == "$row":
            kind = resolve_name(item[0])
            if not (isinstance(kind, type) and issubclass(kind, Model)):
                raise TypeError(f"{item[0]} is not a model")
            row = session.get(kind, item[1])
            if row is None:
                raise Unsendable(f"{kind.__name__} {item[1]} is gone")
            return row
        if key == "$enum":
            kind = resolve_name(item[0])
            if not (isinstance(kind, type) and issubclass(kind, enum.Enum)):
                raise TypeError(f"{item[0]} is not an enum")
            return kind(item[1])
        if key == "$datetime":
            return datetime.fromisoformat(item)
        if key == "$date":
            return date.fromisoformat(item)
    return {k: decode(v, session) for k, v in value.items()}


def _link(token_id: int, endpoint: str) -> str:
    from lms.accounts.tokens import renew_secret
    from lms.urls import external_url

    renewed = renew_secret(token_id)
    if renewed is None:
        raise Unsendable(f"the link of token {token_id} can no longer be used")
    return external_url(endpoint, token=renewed[1])


@dataclass(frozen=True)
class Tally:
    """How the mails of one request went, for the sentence that says so."""

    queued: int
    sent: int
    failed: int


def tally(outgoing: list[Outgoing]) -> Tally:
    states = [o.state for o in outgoing]
    return Tally(states.count(Sending.QUEUED), states.count(Sending.SENT),
                 states.count(Sending.FAILED))
