"""The layers hold everywhere, checked on the source itself (issue #12, item 1).

Data flows one way: a view (``lms/web/``) asks ``lms.access`` and calls an area's
queries and operations; only the areas (and ``access``, which answers "may this user")
build SQL. The areas know nothing of the web: they import neither ``lms.web`` nor
``lms.access`` (which needs Flask-Login's current user), nor Flask's ``request``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import lms

LMS = Path(lms.__file__).resolve().parent
WEB = LMS / "web"
API = LMS / "api"  # the JSON API's views are views too (issue #18)
AREAS = ("accounts", "assignments", "attendance", "audit", "certificates", "cohorts",
         "curriculum", "evaluation", "ical", "integrations", "notifications", "privacy",
         "schedule")

# SQLAlchemy's statement builders, as sa.select(...), sqlalchemy.text(...), db.select(...)
# or a bare select(...) imported from sqlalchemy.
BUILDERS = {"select", "update", "insert", "delete", "text", "exists", "union"}
# What only a query or an operation does with the session (a view commits or rolls back).
SESSION_WORK = {"get", "get_one", "scalar", "scalars", "execute", "query", "add", "add_all",
                "delete", "flush", "merge", "refresh"}
# Modules under lms/web that may build a query anyway, each with its reason. Empty: the
# health check asks lms.db.database_is_reachable, every look-up is an area's query or an
# access getter.
ALLOWED: dict[str, str] = {}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def queries_in(path: Path) -> Iterator[str]:
    """Every place in ``path`` that builds or runs SQL: "line: what"."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    from_sqlalchemy: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            from_sqlalchemy |= {alias.asname or alias.name for alias in node.names
                                if alias.name in BUILDERS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            head, _, last = name.rpartition(".")
            builds = (head in ("sa", "sqlalchemy", "db") and last in BUILDERS) or (
                not head and last in from_sqlalchemy)
            if builds or (head == "db.session" and last in SESSION_WORK):
                yield f"{node.lineno}: {name}(…)"
        elif (isinstance(node, ast.Attribute) and node.attr == "query"
              and isinstance(node.value, ast.Name) and node.value.id[:1].isupper()):
            yield f"{node.lineno}: {node.value.id}.query"  # Flask-SQLAlchemy's Model.query


def web_queries(root: Path = WEB) -> dict[str, list[str]]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        where = str(path.relative_to(root.parent.parent))
        places = list(queries_in(path))
        if places and where not in ALLOWED:
            found[where] = places
    return found


def test_no_view_builds_a_query():
    """Views load through the areas' queries.py and access.py's getters (a query in a
    view is a rule the area does not know about, and a place the next change misses)."""
    assert web_queries() == {}
    assert web_queries(API) == {}


def test_the_walk_sees_every_kind_of_query(tmp_path):
    """(The check itself: each spelling of a query in a view is found.)"""
    view = tmp_path / "lms" / "web" / "view.py"
    view.parent.mkdir(parents=True)
    view.write_text(
        "import sqlalchemy as sa\n"
        "from sqlalchemy import select as pick\n"
        "from flask import session\n"
        "a = db.session.get(User, 1)\n"
        "b = db.session.scalars(sa.select(User))\n"
        "c = db.session.execute(sa.text('SELECT 1'))\n"
        "d = db.session.scalar(db.select(User).filter_by(id=1))\n"
        "e = pick(User)\n"
        "f = User.query.all()\n"
        "db.session.add(a)\n"
        "g = session.get('sid')\n"  # Flask's session is no query
        "db.session.commit()\n"  # committing is the view's
    )
    [(where, places)] = web_queries(tmp_path / "lms" / "web").items()
    assert where == "lms/web/view.py"
    assert sorted(int(p.split(":")[0]) for p in places) == [4, 5, 5, 6, 6, 7, 7, 8, 9, 10]


def _imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_areas_know_nothing_of_the_web():
    """An operation never reads ``request``; access control is asked by the views. So no
    area imports lms.web, lms.access or Flask's request (which also ends the old cycle
    cohorts → access → cohorts)."""
    forbidden = ("lms.web", "lms.access", "lms.api", "flask.request")
    found = {
        str(path.relative_to(LMS.parent)): sorted(
            name for name in set(_imports(path))
            if any(name == f or name.startswith(f + ".") for f in forbidden))
        for area in AREAS for path in sorted((LMS / area).rglob("*.py"))
    }
    assert {where: names for where, names in found.items() if names} == {}


def blueprint_switches(root: Path = WEB) -> list[str]:
    """Places that decide by the blueprint a request came through."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{path.relative_to(root.parent.parent)}:{node.lineno}"
                  for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr == "blueprint"
                  and _dotted(node.value) == "request"]
    return found


def test_shared_views_are_told_their_role():
    """The pages lecturers and coordinators share are registered with the role they serve
    (lms/web/shared/): none asks request.blueprint which one it is."""
    assert blueprint_switches() == []
