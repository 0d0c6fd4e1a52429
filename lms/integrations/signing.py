"""Signatures of webhook deliveries, as the Standard Webhooks specification has them
(https://www.standardwebhooks.com/), so that a receiver verifies them with any of its
libraries (``standardwebhooks`` on PyPI) or in a few lines of its own:

- ``webhook-id``: the message's id (the same for every attempt of one delivery),
- ``webhook-timestamp``: the attempt's time in whole Unix seconds,
- ``webhook-signature``: ``v1,`` + base64 of HMAC-SHA256 over
  ``"<webhook-id>.<webhook-timestamp>.<body>"``, keyed with the secret's bytes.

The secret is ``whsec_`` + base64 of 32 random bytes (the specification asks for 24 to
64); the key is the decoded bytes, not the text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (the shape of a secret, no secret)
SECRET_BYTES = 32
MESSAGE_PREFIX = "msg_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    return MESSAGE_PREFIX + secrets.token_urlsafe(18)


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes
                   ) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, message_id, timestamp, body),
            "Content-Type": "application/json"}
