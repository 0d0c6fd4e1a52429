"""Login throttling that slows guessing without letting anyone lock out the people they
attack (OWASP ASVS 2.2.1 and OWASP's "device cookies").

Failed logins are counted in three ways, in the rate-limit storage that all workers
share (Redis in production):

- **one account from one place**: from one address, or from one device the account was
  used on before: 5 failures in 15 minutes, then that place waits. An attacker at
  address X who hammers the coordinator's account slows only X; the coordinator logs in
  from Y, and on her own laptop even from X.
- **one address, over all accounts**, for devices not known to the account tried: 100
  failures in 15 minutes (credential stuffing from one address). A company behind one
  address is not shut out by one colleague: everyone still logs in on a device they used
  before, or after a password reset.
- **one account, from all devices not known to it**: 20 failures in an hour (an attack
  spread over many addresses). This does not lock the account: it pauses the password
  alone for unknown devices until the hour is over. Devices the account was used on log
  in as before, and a password reset by e-mail, which always works, makes the device it
  is done on known. The attacker gets no answer either way.

A device becomes known to an account by logging in, or by setting a new password from a
reset link, on it: it keeps a signed cookie (``lms_device``) with a keyed hash of the
account and a random id of the device. A known device has its own count of failures, so
a stolen cookie buys 5 guesses in 15 minutes, not more.

Accounts are named in the storage only by a keyed hash of their address, whether or not
the account exists; unknown addresses are counted exactly like known ones.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from flask import after_this_request, current_app, request
from flask.wrappers import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse

from lms.addresses import request_client_network
from lms.extensions import limiter
from lms.web.throttling import Throttled

PER_PLACE = parse("5 per 15 minutes")
PER_ADDRESS = parse("100 per 15 minutes")
PER_ACCOUNT = parse("20 per hour")

DEVICE_COOKIE = "lms_device"
DEVICE_COOKIE_PATH = "/login"
DEVICE_COOKIE_DAYS = 365
DEVICE_COOKIE_ACCOUNTS = 5  # a shared computer remembers the last few accounts


def account_key(email: str) -> str:
    """A keyed hash of the (normalised) address: no address is written to the storage."""
    secret = str(current_app.secret_key).encode()
    normalised = (email or "").strip().lower().encode()
    return hmac.new(secret, b"login:" + normalised, hashlib.sha256).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="lms.device")


def _known_devices() -> list[tuple[str, str]]:
    """(account key, device id) pairs from this browser's device cookie."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        entries = _serializer().loads(raw, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [(str(e[0]), str(e[1])) for e in entries
            if isinstance(e, list) and len(e) == 2][:DEVICE_COOKIE_ACCOUNTS]


@dataclass(frozen=True)
class LoginAttempt:
    account: str
    address: str
    device: str | None  # this device's id when it is known to the account

    @classmethod
    def for_request(cls, email: str) -> LoginAttempt:
        account = account_key(email)
        device = next((d for a, d in _known_devices() if a == account), None)
        return cls(account=account, address=request_client_network(), device=device)

    def _counters(self) -> list[tuple[str, RateLimitItem, tuple[str, ...]]]:
        """(page, limit, identifiers) of each count this attempt is held to, in order."""
        if self.device is not None:
            return [("login_here", PER_PLACE, ("login-device", self.account, self.device))]
        return [
            ("login_here", PER_PLACE, ("login-place", self.account, self.address)),
            ("login_network", PER_ADDRESS, ("login-address", self.address)),
            ("login_account", PER_ACCOUNT, ("login-account", self.account)),
        ]

    def check(self) -> None:
        """Raises :class:`Throttled` when this attempt must not be tried now (whatever the
        password: a correct guess must not be told apart)."""
        if not limiter.enabled:
            return
        strategy = limiter.limiter
        for page, limit, identifiers in self._counters():
            if not strategy.test(limit, *identifiers):
                reset_at = strategy.get_window_stats(limit, *identifiers).reset_time
                current_app.logger.info("login throttled (%s): address %s, account %s",
                                        page, self.address, self.account)
                raise Throttled(page, reset_at - time.time())

    def failed(self) -> None:
        if not limiter.enabled:
            return
        strategy = limiter.limiter
        for _page, limit, identifiers in self._counters():
            strategy.hit(limit, *identifiers)

    def succeeded(self) -> None:
        """The person got in: their own earlier typing errors here are forgiven (the
        address's and the account's counts stay)."""
        if not limiter.enabled:
            return
        _page, limit, identifiers = self._counters()[0]
        limiter.limiter.clear(limit, *identifiers)


def remember_device(email: str) -> None:
    """Make this browser known to the account (after a login or a password reset): the
    response sets the device cookie, keeping the device's id if it had one."""
    account = account_key(email)
    known = _known_devices()
    device = next((d for a, d in known if a == account), None) or secrets.token_urlsafe(16)
    entries = [[account, device]] + [[a, d] for a, d in known if a != account]
    value = _serializer().dumps(entries[:DEVICE_COOKIE_ACCOUNTS])

    @after_this_request
    def _set_cookie(response: Response) -> Response:
        response.set_cookie(
            DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_DAYS * 86400, path=DEVICE_COOKIE_PATH,
            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax",
        )
        return response
