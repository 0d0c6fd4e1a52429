"""Mail reaches a real SMTP server, or the outbox when no server is configured."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from flask import current_app

from lms.mail import Attachment, MailError, outbox_dir, send_message
from tests.conftest import free_port


def test_message_reaches_the_smtp_server_with_plain_text_and_attachment(app, smtp_server):
    send_message(
        "teilnehmerin@example.org", "Änderung: Präsenztag verschoben", "Text mit Umlauten: äöü",
        "<p>HTML</p>",
        attachments=(Attachment("termin.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                "text/calendar; method=REQUEST"),),
    )
    [message] = smtp_server.messages
    assert message["To"] == "teilnehmerin@example.org"
    assert message["Subject"] == "Änderung: Präsenztag verschoben"
    assert message.get_body(("plain",)).get_content().strip() == "Text mit Umlauten: äöü"
    assert message.get_body(("html",)).get_content().strip() == "<p>HTML</p>"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "termin.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"


def test_without_smtp_messages_go_to_the_outbox(app):
    assert not current_app.config["LMS_SMTP_HOST"]
    send_message("a@example.org", "Betreff", "Inhalt")
    outbox = list(outbox_dir().glob("*.eml"))
    assert outbox
    newest = max(outbox, key=lambda p: p.stat().st_mtime)
    message = message_from_bytes(newest.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Betreff"


def test_unreachable_server_raises_mail_error(app):
    saved = dict(app.config)
    app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=free_port(), LMS_SMTP_TLS="none")
    try:
        with pytest.raises(MailError):
            send_message("a@example.org", "Betreff", "Inhalt")
    finally:
        app.config.update(saved)

