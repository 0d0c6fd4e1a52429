"""Password hashing with argon2id (argon2-cffi).

The parameters come from a named argon2-cffi profile (``ARGON2_PROFILE``; the library's
RFC 9106 low-memory profile by default). When they change, a password is rehashed at
its next successful login.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"


@cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


@cache
def _dummy_hash(profile: str) -> str:
    return _hasher_for(profile).hash("nobody's password, used to spend the time of a real check")


def _profile() -> str:
    if has_app_context():
        return current_app.config.get("ARGON2_PROFILE", DEFAULT_PROFILE)
    return DEFAULT_PROFILE


def hash_password(password: str) -> str:
    return _hasher_for(_profile()).hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an account without a password costs the same time,
    so that timing does not tell which addresses have an account."""
    profile = _profile()
    try:
        matched = _hasher_for(profile).verify(stored_hash or _dummy_hash(profile), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return _hasher_for(_profile()).check_needs_rehash(stored_hash)
