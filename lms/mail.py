"""Email in the recipient's language, with a plain-text part.

Messages go through SMTP when ``LMS_SMTP_HOST`` is set. Without it they are written
to ``<instance>/outbox/`` as ``.eml`` files, so that the demo works on a laptop.
"""

from __future__ import annotations

import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from lms.accounts.models import User
from lms.db import utcnow


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
