"""Sending one webhook request: only to public addresses (no server-side request forgery
into the university's own network), over HTTPS; plain HTTP to the loopback address only
where the app runs for tests or debugging.

The host's addresses are checked when a subscription is made (a quick refusal on the
form) and again for every attempt, and the connection goes to the address that was
checked, so that a name re-pointed between check and connect (DNS rebinding) reaches
nothing else. Redirects are not followed: a 3xx counts as a failed attempt.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.integrations.errors import IntegrationError

TIMEOUT_SECONDS = 10
EXCERPT_BYTES = 2000  # read of an answer's body (the excerpt kept is shorter)
USER_AGENT = "lms-webhooks/1"
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookTargetError(IntegrationError):
    """The URL cannot be called: not HTTPS, or an address inside a private network."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out, not allowed)
    excerpt: str


def allow_local() -> bool:
    """Plain HTTP to the loopback address: only for tests and the debugger."""
    return bool(current_app.testing or current_app.debug)


def parse_target(url: str, *, local: bool) -> Target:
    """The URL's parts, or WebhookTargetError saying why it is not one we call."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("https", "http") or not parts.hostname or port == -1:
        raise WebhookTargetError(_l("Enter a full address starting with https://."),
                                 field="url")
    if parts.username or parts.password:
        raise WebhookTargetError(_l("The address may not contain a user name or password."),
                                 field="url")
    host = parts.hostname
    if parts.scheme == "http" and not (local and _is_loopback_name(host)):
        raise WebhookTargetError(_l("The address must start with https://."), field="url")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_address(address: IpAddress, *, local: bool) -> bool:
    """Whether we may connect to ``address``: a global unicast one (in tests also the
    loopback)."""
    if local and address.is_loopback:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(target: Target, *, local: bool) -> IpAddress:
    """The first address of the host; WebhookTargetError when any of them is not public
    (a name that also points inside is refused altogether)."""
    try:
        literal: IpAddress | None = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise WebhookTargetError(_l("The host name could not be resolved."),
                                     field="url") from exc
        found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not found or not all(public_address(a, local=local) for a in found):
        raise WebhookTargetError(_l("The address points into a private or local network; "
                                    "only public addresses are called."), field="url")
    return found[0]


def check_url(url: str) -> str:
    """The URL as it will be stored, when it is one we call; an unresolvable name passes
    (it is checked again before every attempt)."""
    local = allow_local()
    target = parse_target(url, local=local)
    try:
        resolve(target, local=local)
    except WebhookTargetError as exc:
        if exc.__cause__ is None:
            raise
    return url.strip()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, address: IpAddress) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT_SECONDS)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, address: IpAddress) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT_SECONDS,
                         context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((str(self._address), self.port), self.timeout)
        # the certificate is checked against the host's name, not the address
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]  # (http.client's own)
            sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body``; the answer's status and the start of its body, or why none came."""
    local = allow_local()
    try:
        target = parse_target(url, local=local)
        address = resolve(target, local=local)
    except WebhookTargetError as exc:
        return Answer(None, str(exc))
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, address) if target.scheme == "https"
        else _PinnedHTTPConnection(target, address))
    try:
        connection.request("POST", target.path, body=body,
                           headers={**headers, "User-Agent": USER_AGENT})
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        return Answer(response.status, excerpt)
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()

