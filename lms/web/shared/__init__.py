"""Views that several role blueprints serve: a lecturer's and a coordinator's grading and
attendance pages are one page each, under each role's own URLs and endpoint names.

Each module's ``register(bp, role)`` adds its routes to a role's blueprint with the role
bound to the view (``role=Role.COORDINATOR``): the view is told the role it serves in as
an argument, and its templates receive it as ``role`` (``url_for(role ~ ".grading", ...)``,
``role == "coordinator"``). Nothing asks which blueprint a request came through, and the
URL map is the same as if each blueprint had its own copy of the view.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint

from lms.accounts.models import Role


def add_role_rules(bp: Blueprint, role: Role,
                   rules: list[tuple[str, str, Callable[..., object], list[str]]]) -> None:
    """Each (path, endpoint, view, methods) on ``bp``, the view told ``role``. The
    blueprint is named after the role, so that ``role ~ ".endpoint"`` is its endpoint."""
    if bp.name != role.value:
        raise ValueError(f"the {bp.name!r} blueprint does not serve the role {role.value!r}")
    for path, endpoint, view, methods in rules:
        bp.add_url_rule(path, endpoint, _serving(view, role), methods=methods)


def _serving(view: Callable[..., Any], role: Role) -> Callable[..., Any]:
    """``view`` with ``role`` bound (named like ``view``, which CSRF exemptions and
    error logs read)."""
    @wraps(view)
    def bound(**values: Any) -> Any:
        return view(**values, role=role)

    return bound
