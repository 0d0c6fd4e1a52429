"""One place for every label and state (issue #12, item 3).

Every enumeration people see carries its labels where its members are defined
(``lms.labels.LabelledEnum``). These tests walk every template and every module: a
template that spells a member's value, a second set of words for a member, a form whose
choices are typed by hand, or an enumeration without labels fails here.
"""

from __future__ import annotations

import ast
import enum
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from jinja2 import nodes
from wtforms import RadioField, SelectField, SelectMultipleField

import lms
from lms.labels import LabelledEnum, capitalised

ROOT = Path(lms.__file__).resolve().parent
TEMPLATES = ROOT / "templates"
GETTEXT = {"_", "gettext", "_l", "lazy_gettext", "ngettext", "_ln", "lazy_ngettext"}

# Enumerations that are never shown to people as words, each with the reason.
INTERNAL = {
    "TokenPurpose": "what a one-time link is for; the page and the mail of each purpose "
                    "say it in their own sentences",
    "FeedScope": "which schedule a calendar address serves; each feed page says it",
    "Outcome": "what may be issued now; pages show the standing and the kind of document",
    "AttendanceSource": "who recorded a mark, for the change log; the roster says only "
                        "that someone checked in themselves (Attendance.checked_in_themselves)",
    "Sending": "what became of a mail a request handed over (lms.mail.send_later); the "
               "page says it in a sentence with the number of mails",
}

# Words that are a member's label but say something else where they stand, with the reason.
SAME_WORD = {
    "note": "a note field or column (Mark.INFO is the note among a certificate's reasons)",
    "participant": "the column of people in a table (Role.PARTICIPANT names the role)",
    "active": "a calendar address in use (EnrollmentStatus.ACTIVE is a participation)",
}

# Places where a quoted word equals a member's value but is no member: (template, word).
NOT_A_MEMBER: set[tuple[str, str]] = set()


def _import_everything() -> None:
    for module in pkgutil.walk_packages([str(ROOT)], prefix="lms."):
        if not module.name.startswith("lms.migrations"):
            importlib.import_module(module.name)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def app_enums() -> list[type[enum.Enum]]:
    _import_everything()
    found = {cls for cls in _subclasses(enum.Enum)
             if cls.__module__.startswith("lms.") and len(cls) > 0}
    return sorted(found, key=lambda cls: cls.__name__)


def enum_values() -> set[str]:
    return {str(member.value) for cls in app_enums() for member in cls}


def _templates() -> Iterator[tuple[str, str]]:
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in (".html", ".txt"):
            yield path.relative_to(TEMPLATES).as_posix(), path.read_text(encoding="utf-8")


def _gettext_call(node: nodes.Node) -> bool:
    return (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name)
            and node.node.name in GETTEXT)


def spelled_values(app: Flask, source: str, values: set[str]) -> list[str]:
    """Quoted words in a template's expressions that equal a member's value: compared
    with, looked up by, used as a dict key or passed to a call (a message id given to
    gettext is a text, not a value: the label test checks those)."""
    tree = app.jinja_env.parse(source)
    messages = {id(arg) for call in tree.find_all(nodes.Call) if _gettext_call(call)
                for arg in call.args[:2]}
    found = []

    def constants(node: nodes.Node) -> Iterator[str]:
        if isinstance(node, nodes.Const) and isinstance(node.value, str):
            if node.value in values and id(node) not in messages:
                yield node.value
        elif isinstance(node, nodes.Tuple | nodes.List):
            for item in node.items:
                yield from constants(item)

    for compare in tree.find_all(nodes.Compare):
        for operand in (compare.expr, *(op.expr for op in compare.ops)):
            found += [f"== {v!r}" for v in constants(operand)]
    for item in tree.find_all(nodes.Getitem):
        found += [f"[{v!r}]" for v in constants(item.arg)]
    for pair in tree.find_all(nodes.Pair):
        found += [f"{{{v!r}: …}}" for v in constants(pair.key)]
    for call in tree.find_all(nodes.Call):
        if not _gettext_call(call):
            for arg in (*call.args, *(kw.value for kw in call.kwargs)):
                found += [f"call({v!r})" for v in constants(arg)]
    return found


def test_templates_never_spell_an_enum_value(app: Flask):
    """``== 'present'``, ``.value == 'on_track'``, ``{'met': …}[state]``,
    ``has_role('coordinator')``: a template compares with the member itself (a template
    global, ``AttendanceStatus.PRESENT``) or asks the model (``meeting.is_cancelled``)."""
    values = enum_values()
    spelled = []
    for name, source in _templates():
        for found in spelled_values(app, source, values):
            word = found.split("'")[1]
            if (name, word) not in NOT_A_MEMBER:
                spelled.append(f"{name}: {found}")
    assert not spelled, "templates spell enum values:\n" + "\n".join(spelled)


def test_the_template_walk_finds_what_it_looks_for(app: Flask):
    """The walk above is only worth something if it sees each way of spelling a value."""
    values = {"present", "met", "coordinator", "on_track"}
    source = ("{% if s == 'present' %}{% endif %}{{ {'met': 1}[x] }}{{ y['on_track'] }}"
              "{{ u.has_role('coordinator') }}{{ z.value in ('present', 'x') }}"
              "{{ _('present') }}")
    assert sorted(spelled_values(app, source, values)) == sorted(
        ["== 'present'", "{'met': …}", "['on_track']", "call('coordinator')",
         "== 'present'"])


def shown_values(source: str) -> list[str]:
    """``{{ ….value }}`` written as text of the page rather than inside an attribute (a
    class name such as ``att-st-{{ mark.status.value }}`` is fine): people read a label."""
    shown = []
    for found in re.finditer(r"{{[^}]*\.value\s*}}", source):
        before = source[:found.start()]
        tag = before[before.rfind("<"):] if before.rfind("<") > before.rfind(">") else ""
        if not re.search(r'="[^"]*$', tag):
            shown.append(found.group(0))
    return shown


def test_templates_show_labels_not_values():
    shown = [f"{name}: {expr}" for name, source in _templates() for expr in shown_values(source)]
    assert not shown, f"values shown to people instead of labels: {shown}"
    assert shown_values('<td class="x-{{ s.value }}">{{ s.value }}</td>') == ["{{ s.value }}"]


def _label_ids() -> dict[str, str]:
    """Every label's message id (its English words, lower-case) → the member it labels."""
    ids = {}
    for cls in app_enums():
        if issubclass(cls, LabelledEnum):
            for member in cls:
                raw = member._label
                text = raw._args[0] if hasattr(raw, "_args") else raw
                ids.setdefault(text.casefold(), f"{cls.__name__}.{member.name}")
    return ids


def _label_definitions(tree: ast.Module) -> set[int]:
    """The gettext calls that label a member where it is defined (``X = "x", _l("…")``
    inside a LabelledEnum)."""
    inside = set()
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef):
            for statement in cls.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    inside.update(id(node) for node in ast.walk(statement.value))
    return inside


def _python_files() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text("utf-8"))


def _called(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return None


def second_labels(name: str, tree: ast.Module) -> list[str]:
    """Where a Python module says a member's words again: a gettext call with a label's
    message id outside the member's definition, or a mapping from members (or their
    values) to texts."""
    labels = _label_ids()
    members = {m.name for cls in app_enums() for m in cls}
    enum_names = {cls.__name__ for cls in app_enums()}
    values = enum_values()
    defined = _label_definitions(tree)
    again = []
    for node in ast.walk(tree):
        if _called(node) in GETTEXT and node.args and id(node) not in defined:
            first = node.args[0]
            word = str(getattr(first, "value", "")).casefold()
            if isinstance(first, ast.Constant) and word in labels and word not in SAME_WORD:
                again.append(f"{name}:{node.lineno}: {first.value!r} is the label of "
                             f"{labels[str(first.value).casefold()]}")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                member_key = (isinstance(key, ast.Attribute) and key.attr in members
                              and isinstance(key.value, ast.Name) and key.value.id in enum_names)
                value_key = isinstance(key, ast.Constant) and key.value in values
                if ((member_key or value_key) and _called(value) in GETTEXT
                        and not _sentence(value)):
                    again.append(f"{name}:{node.lineno}: a mapping from members to texts")
                    break
    return again


def _sentence(call: ast.Call) -> bool:
    """A message that ends like a sentence is what a member causes (an error, a notice),
    not the member's name."""
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Constant) and str(first.value).rstrip().endswith((".", "?", "!"))


def test_every_label_is_defined_once():
    """A member's words are written once, where the member is defined: no page, form,
    export, calendar or mail says them again in its own gettext call, and no mapping
    from members (or their values) to texts gives them a second set of words."""
    labels = _label_ids()
    again = []
    for name, tree in _python_files():
        again += second_labels(f"lms/{name}", tree)
    for name, source in _templates():
        for message in _jinja_gettext_calls(source):
            if message.casefold() in labels and message.casefold() not in SAME_WORD:
                again.append(f"templates/{name}: {message!r} is the label of "
                             f"{labels[message.casefold()]}")
    assert not again, "labels defined again:\n" + "\n".join(again)


def _jinja_gettext_calls(source: str) -> list[str]:
    from jinja2 import Environment

    tree = Environment(extensions=["jinja2.ext.i18n"], autoescape=True).parse(source)
    return [call.args[0].value for call in tree.find_all(nodes.Call)
            if _gettext_call(call) and call.args and isinstance(call.args[0], nodes.Const)]


def test_the_label_walk_sees_a_second_definition():
    """The walk above is only worth something if it sees each kind of second label."""
    tree = ast.parse('STATUS = {AttendanceStatus.LATE: _("late")}\n'
                     'OTHER = {"present": _l("here")}\n'
                     'x = _("Excused")\n'
                     'y = {HandIn.FIRST: _("Fine: a sentence.")}\n'
                     'class Fine(LabelledEnum):\n    A = "a", _l("excused")\n')
    assert second_labels("m.py", tree) == [
        "m.py:1: a mapping from members to texts", "m.py:2: a mapping from members to texts",
        "m.py:3: 'Excused' is the label of AbsenceDecision.EXCUSED"]
    assert _jinja_gettext_calls('{{ _("decision pending") }}') == ["decision pending"]


def test_every_enumeration_people_see_is_labelled_and_a_template_global(app: Flask):
    from lms.web import labelled_enums

    enums = app_enums()
    unlabelled = sorted(cls.__name__ for cls in enums
                        if not issubclass(cls, LabelledEnum) and cls.__name__ not in INTERNAL)
    assert not unlabelled, f"enumerations without labels: {unlabelled}"
    labelled = {cls for cls in enums if issubclass(cls, LabelledEnum)}
    assert set(labelled_enums()) == labelled
    for cls in labelled:
        assert app.jinja_env.globals[cls.__name__] is cls
        for locale in ("de", "en"):
            with force_locale(locale):
                assert all(member.label.strip() for member in cls), cls
    assert set(INTERNAL) <= {cls.__name__ for cls in enums}, "INTERNAL names a lost enum"


def test_the_locales_of_the_settings_are_the_locale_members():
    from lms.accounts.models import Locale
    from lms.config import SUPPORTED_LOCALES

    assert tuple(member.value for member in Locale) == SUPPORTED_LOCALES


def _forms() -> Iterator[type]:
    from flask_wtf import FlaskForm
    from wtforms import Form

    _import_everything()
    for cls in {*_subclasses(FlaskForm), *_subclasses(Form)}:
        if cls.__module__.startswith("lms."):
            yield cls


@pytest.mark.parametrize("locale", ["de", "en"])
def test_form_choices_come_from_the_enums_and_their_labels(app: Flask, locale: str):
    """A SelectField or RadioField whose values are an enumeration's offers each member
    with its label (capitalised or not), lazily, so that it reads in the page's language."""
    enums = [cls for cls in app_enums() if issubclass(cls, LabelledEnum)]
    checked = []
    with app.test_request_context(), force_locale(locale):
        for form in _forms():
            for name in dir(form):
                unbound = getattr(form, name, None)
                field_class = getattr(unbound, "field_class", None)
                if field_class not in (SelectField, RadioField, SelectMultipleField):
                    continue
                raw = unbound.kwargs.get("choices") or ()
                pairs = [c if isinstance(c, tuple) else (c, c) for c in raw]
                options = [(str(v), str(t)) for v, t in pairs if v != ""]
                offered = {v for v, _t in options}
                for cls in enums:
                    if offered and offered <= {m.value for m in cls}:
                        for value, text in options:
                            member = cls(value)
                            assert text in (member.label, capitalised(member.label)), (
                                f"{form.__name__}.{name}: {value!r} offered as {text!r}, "
                                f"not as {member.label!r}")
                        checked.append(f"{form.__name__}.{name}")
    # The walk reached the forms it is about.
    assert {"MarkForm.status", "DecisionForm.decision", "AssignmentForm.kind",
            "AssignmentForm.grading", "InviteForm.title_form", "InviteForm.language",
            "PersonForm.title_form", "InvitationForm.title_form", "InvitationForm.language",
            "AccountForm.title_form", "AccountForm.language", "AccountInvitationForm.language",
            "IssueForm.language"} <= set(checked), checked


def test_title_form_choices_show_the_course_in_each_form(app: Flask, client, auth, course_dir):
    """The title forms are offered as the person's course writes them (what the
    certificate will print), on the invitation, the account page and the coordinator's
    forms; nothing types the titles of one course into the code."""
    from lms.accounts.models import Role, TitleForm
    from lms.cohorts.invitations import invite_participant
    from lms.extensions import db
    from tests.factories import enroll, load_test_course, make_cohort, make_user

    course = load_test_course(course_dir)
    course.title_neutral, course.title_female, course.title_male = (
        "Datenlots*in", "Datenlotsin", "Datenlotse")
    cohort = make_cohort(course)
    coordinator = make_user(Role.COORDINATOR)
    enrollment = enroll(cohort)
    token = invite_participant(cohort, "neu@example.org", "Neu", "Person").token
    db.session.commit()
    titles = [course.title_for(form) for form in TitleForm]

    def offered(page: str) -> list[str]:
        return re.findall(r'value="(?:neutral|female|male)"[^>]*>(?:</option>)?\s*([^<]+?)\s*<',
                          page) or re.findall(
            r'<input[^>]*value="(?:neutral|female|male)"[^>]*>\s*([^<]+?)\s*</label>', page)

    invitation = client.get(f"/invitation/{token}").get_data(as_text=True)
    assert offered(invitation) == titles
    auth.login(enrollment.user)
    assert offered(client.get("/account").get_data(as_text=True)) == titles
    auth.logout()
    auth.login(coordinator)
    roster = client.get(f"/coordination/cohorts/{cohort.id}/roster").get_data(as_text=True)
    assert offered(roster) == titles
    person = client.get(f"/coordination/cohorts/{cohort.id}/enrollments/{enrollment.id}/edit")
    assert offered(person.get_data(as_text=True)) == titles
