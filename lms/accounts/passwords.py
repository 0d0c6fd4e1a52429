"""Password hashing with argon2id (argon2-cffi) and the password policy.

The hashing parameters come from a named argon2-cffi profile (``ARGON2_PROFILE``; the
library's RFC 9106 low-memory profile by default). When they change, a password is
rehashed at its next successful login.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from lms.accounts.errors import AccountError
from lms.i18n import transliterate

DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])  # the 30,000 most common


class PasswordPolicyError(AccountError):
    """The password is not acceptable."""


def check_password_policy(password: str, personal: Iterable[str] = ()) -> None:
    """At least 10 characters, not one of the most common passwords, and not easily
    guessed from the person's own name or address (zxcvbn)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            _ln("The password needs at least %(num)s character.",
                "The password needs at least %(num)s characters.", MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            _ln("The password may have at most %(num)s character.",
                "The password may have at most %(num)s characters.", MAX_PASSWORD_LENGTH))
    if password.lower() in COMMON_PASSWORDS:
        raise PasswordPolicyError(
            _l("This password is one of the most common ones. Please choose another."))
    words = [w for part in personal for w in re.split(r"[\s@._+-]+", part) if len(w) >= 3]
    letters = rest = _letters(password)
    for word in sorted({_letters(w) for w in words}, key=len, reverse=True):
        if len(word) >= 3:
            rest = rest.replace(word, "")
    if rest != letters and len(rest) < 4:  # little but the person's own name or address
        raise PasswordPolicyError(
            _l("The password must not be made of your own name or address."))
    if zxcvbn(password, user_inputs=words)["score"] < 2:
        raise PasswordPolicyError(
            _l("This password is too easy to guess. A few unrelated words make a good one."))


def _letters(text: str) -> str:
    """Letters only, transliterated: "König2026" and "koenig" compare alike."""
    return "".join(c for c in transliterate(text).casefold() if c.isalpha())


@cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


@cache
def _dummy_hash(profile: str) -> str:
    return _hasher_for(profile).hash("nobody's password, used to spend the time of a real check")


def _profile() -> str:
    if has_app_context():
        return str(current_app.config.get("ARGON2_PROFILE", DEFAULT_PROFILE))
    return DEFAULT_PROFILE


def hash_password(password: str) -> str:
    return _hasher_for(_profile()).hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an account without a password costs the same time,
    so that timing does not tell which addresses have an account."""
    profile = _profile()
    try:
        # True, or it raises: a wrong password is VerifyMismatchError (a VerificationError)
        _hasher_for(profile).verify(stored_hash or _dummy_hash(profile), password)
    except (VerificationError, InvalidHashError):
        return False
    return stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return _hasher_for(_profile()).check_needs_rehash(stored_hash)
