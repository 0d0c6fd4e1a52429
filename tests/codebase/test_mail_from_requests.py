"""No request talks to the mail server (issue #15): a view hands its mail to
``lms.mail.send_later``, which queues it once the transaction commits. Checked on the
source, like the layers: no module under ``lms/web`` or ``lms/api`` calls or imports
what sends at once, and neither does any function those modules import from an area
(``send_invitation``, ``send_announcement``, … are the areas' own, one level down)."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from collections.abc import Iterator
from pathlib import Path

from tests.codebase.test_layers import API, LMS, WEB, _dotted

# What sends now, in the request's time: the mail server's answer awaited.
SENDS_NOW = {"send_to_user", "send_message", "_deliver", "deliver"}


def _calls_that_send(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name.rpartition(".")[2] in SENDS_NOW:
                yield f"{getattr(node, 'lineno', '?')}: {name}(…)"
        elif isinstance(node, ast.ImportFrom) and node.module == "lms.mail":
            for alias in node.names:
                if alias.name in SENDS_NOW:
                    yield f"{node.lineno}: imports lms.mail.{alias.name}"


def request_modules() -> list[Path]:
    return sorted([*WEB.rglob("*.py"), *API.rglob("*.py")])


def area_functions(path: Path) -> Iterator[tuple[str, str]]:
    """(module, name) of every function ``path`` imports from outside the web and the
    API (and lms.mail, whose ``send_later`` is the way)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        module = node.module
        if (not module.startswith("lms.") or module.startswith(("lms.web", "lms.api"))
                or module == "lms.mail"):
            continue
        for alias in node.names:
            yield module, alias.name


def test_no_request_handler_sends_mail_itself() -> None:
    found = {str(path.relative_to(LMS)): hits for path in request_modules()
             if (hits := list(_calls_that_send(ast.parse(path.read_text(encoding="utf-8")))))}
    assert found == {}


def test_no_function_a_request_calls_sends_mail_itself() -> None:
    found: dict[str, list[str]] = {}
    for path in request_modules():
        for module_name, name in area_functions(path):
            target = getattr(importlib.import_module(module_name), name, None)
            if not inspect.isfunction(target):
                continue
            tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
            hits = list(_calls_that_send(tree))
            if hits:
                found[f"{module_name}.{name} (used by {path.relative_to(LMS)})"] = hits
    assert found == {}


def test_the_check_finds_a_mail_sent_in_a_request(tmp_path: Path) -> None:
    """(The walk would find the old way: a view that sent after its commit.)"""
    source = textwrap.dedent('''
        from lms.mail import send_to_user

        def view():
            send_to_user(user, "password_reset", link=link)
    ''')
    assert len(list(_calls_that_send(ast.parse(source)))) == 2
    assert list(_calls_that_send(ast.parse("send_later(user, 'invitation')"))) == []
