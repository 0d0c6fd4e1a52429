"""Rate limits, and the page each one answers with when it is reached.

Every rate-limited route is declared with :func:`limited`, which names the page a
throttled visitor sees (``templates/errors/throttled/<page>.html``): someone checking
certificates is told about checking certificates, not asked whether they forgot their
password. The login has a finer throttle of its own (``lms/web/public/login_throttle.py``)
that raises :class:`Throttled` with the page that fits its case.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import current_app, render_template, request
from werkzeug.exceptions import TooManyRequests

from lms.extensions import limiter

P = ParamSpec("P")
R = TypeVar("R")

# One page per kind of limit; "generic" only for a limit declared without ``limited``.
PAGES = frozenset({
    "login_here",  # one account from one address (or device): that address waits
    "login_network",  # very many failed logins from one address, over all accounts
    "login_account",  # very many failed logins for one account, from everywhere
    "password_reset",  # many reset links asked for one address from one place
    "verify",  # very many certificate checks from one address
    "check_in",  # many check-in codes tried by one participant
})


class Throttled(TooManyRequests):
    """A throttle of our own was reached: ``page`` says which, ``retry_after`` (seconds)
    when it lets go."""

    retry_after: int  # (werkzeug's may be a date; ours is always seconds)

    def __init__(self, page: str, retry_after: float) -> None:
        super().__init__()
        if page not in PAGES:
            raise ValueError(f"unknown throttle page {page!r}")
        self.page = page
        self.retry_after = max(1, math.ceil(retry_after))


def limited(limit_value: str, *, page: str, scope: str | None = None,
            **options: Any) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Flask-Limiter's limit for a route (shared by every route it decorates when
    ``scope`` is given), answered with the throttle page ``page``."""
    if page not in PAGES:
        raise ValueError(f"unknown throttle page {page!r}")
    limit = (limiter.shared_limit(limit_value, scope=scope, **options) if scope
             else limiter.limit(limit_value, **options))

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        wrapped = limit(view)
        wrapped.throttle_page = page  # type: ignore[attr-defined]
        return wrapped

    return decorate


def throttled_response(error: TooManyRequests) -> tuple[str, int, dict[str, str]]:
    """The 429 page that fits the limit reached, saying how long to wait (whole minutes)."""
    if isinstance(error, Throttled):
        page, seconds = error.page, error.retry_after
    else:
        view = current_app.view_functions.get(request.endpoint or "")
        page = getattr(view, "throttle_page", "generic")
        current = limiter.current_limit
        seconds = max(1, int(current.reset_at - time.time())) if current is not None else 60
    minutes = max(1, math.ceil(seconds / 60))
    html = render_template(f"errors/throttled/{page}.html", minutes=minutes)
    return html, 429, {"Retry-After": str(seconds)}
