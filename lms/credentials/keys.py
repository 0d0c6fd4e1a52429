"""The issuer's Ed25519 keys, as Multikeys.

The active key signs; keys rotated out keep only their public half and stay in the DID
document, so that credentials signed with them still verify. The keys live in the
instance folder (``credential_keys.json``, mode 600) unless ``LMS_CREDENTIALS_KEY`` gives
the signing key (then ``LMS_CREDENTIALS_PREVIOUS_KEYS`` lists the public keys of earlier
ones): several hosts then share one key without sharing a folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, overload

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import current_app

# Multicodec prefixes (varint) of an Ed25519 public and private key.
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
KEYRING_FILE = "credential_keys.json"


class KeyError_(ValueError):
    """A key is malformed or missing; the message says which and why."""


def public_multibase(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUB + raw).decode("ascii")


def private_multibase(private: Ed25519PrivateKey) -> str:
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    return "z" + base58.b58encode(ED25519_PRIV + raw).decode("ascii")


def _decode(value: object, prefix: bytes, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise KeyError_(f"{what} must be a base58btc multibase value starting with z")
    try:
        raw = base58.b58decode(value[1:])
    except ValueError:
        raise KeyError_(f"{what} is not valid base58") from None
    if not raw.startswith(prefix) or len(raw) != len(prefix) + 32:
        raise KeyError_(f"{what} is not an Ed25519 Multikey")
    return raw[len(prefix):]


def public_from_multibase(value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_decode(value, ED25519_PUB, "the public key"))


def private_from_multibase(value: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_decode(value, ED25519_PRIV, "the signing key"))


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public_multibase(self) -> str:
        return public_multibase(self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


@dataclass(frozen=True)
class Keyring:
    """The signing key and the public keys of those rotated out (oldest first)."""

    active: SigningKey
    retired: tuple[str, ...] = ()
    source: str = "instance"  # "instance" or "configuration"

    @property
    def public_keys(self) -> tuple[str, ...]:
        """Every key a credential of ours may carry, the active one first."""
        return (self.active.public_multibase,
                *[k for k in reversed(self.retired) if k != self.active.public_multibase])


def keyring_path() -> Path:
    return Path(current_app.instance_path) / KEYRING_FILE


def configured_keyring() -> Keyring | None:
    """The keys given by configuration, if any."""
    secret = current_app.config.get("LMS_CREDENTIALS_KEY")
    if not secret:
        return None
    previous = tuple(current_app.config.get("LMS_CREDENTIALS_PREVIOUS_KEYS") or ())
    return Keyring(SigningKey(private_from_multibase(secret)), previous, "configuration")


@overload
def load_keyring(*, create: Literal[True] = True) -> Keyring: ...
@overload
def load_keyring(*, create: bool) -> Keyring | None: ...
def load_keyring(*, create: bool = True) -> Keyring | None:
    """The configured keys, else the instance folder's; generated there on first need
    (like the instance's secret key) when ``create``."""
    configured = configured_keyring()
    if configured is not None:
        return configured
    path = keyring_path()
    try:
        return _read(path)
    except FileNotFoundError:
        if not create:
            return None
    return generate_keyring(path)


def _read(path: Path) -> Keyring:
    data = json.loads(path.read_text(encoding="ascii"))
    try:
        active = SigningKey(private_from_multibase(data["active"]["secretKeyMultibase"]))
        retired = tuple(str(k["publicKeyMultibase"]) for k in data.get("retired", []))
    except (KeyError, TypeError) as exc:
        raise KeyError_(f"{path}: not a key file of lms ({exc})") from None
    return Keyring(active, retired)


def generate_keyring(path: Path | None = None) -> Keyring:
    """A new key in a new file; refuses to replace an existing file (another worker may
    have been quicker: then that one is returned)."""
    path = path or keyring_path()
    keyring = Keyring(SigningKey(Ed25519PrivateKey.generate()))
    try:
        _write(path, keyring, exclusive=True)
    except FileExistsError:
        return _read(path)
    return keyring


def rotate_keyring(now: datetime) -> Keyring:
    """A new signing key; the old one's public half stays listed (its private half is
    forgotten: nothing is signed with it again)."""
    path = keyring_path()
    old = _read(path)
    keyring = Keyring(SigningKey(Ed25519PrivateKey.generate()),
                      (*old.retired, old.active.public_multibase))
    _write(path, keyring, exclusive=False, rotated_at=now)
    return keyring


def _write(path: Path, keyring: Keyring, *, exclusive: bool,
           rotated_at: datetime | None = None) -> None:
    data = {
        "active": {"secretKeyMultibase": private_multibase(keyring.active.private),
                   "publicKeyMultibase": keyring.active.public_multibase},
        "retired": [{"publicKeyMultibase": k} for k in keyring.retired],
    }
    if rotated_at is not None:
        data["rotated_at"] = rotated_at.isoformat()
    text = json.dumps(data, indent=2) + "\n"
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
        return
    temporary = path.with_name(f".{path.name}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    temporary.replace(path)
