"""HTML forms as a browser sees them: parse a page's forms, fill them in, read values back.

Small on purpose (the standard library's HTMLParser): enough for the pages this app
renders, so that tests can walk every form without knowing its fields in advance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lms.cohorts.models import Enrollment


@dataclass
class Control:
    tag: str  # input, select, textarea
    type: str  # text, email, date, time, number, url, hidden, checkbox, radio, file, ...
    name: str
    value: str = ""
    checked: bool = False
    attrs: dict[str, str] = field(default_factory=dict)
    options: list[tuple[str, bool]] = field(default_factory=list)  # select: (value, selected)
    multiple: bool = False


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    controls: list[Control] = field(default_factory=list)

    def names(self) -> list[str]:
        """Field names in document order, each once."""
        seen: dict[str, None] = {}
        for control in self.controls:
            seen.setdefault(control.name, None)
        return list(seen)

    def group(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name]

    def is_switch(self, name: str) -> bool:
        """One checkbox that is on or off (WTForms' BooleanField sends "y"), not a list of
        choices that happens to have one option."""
        group = self.group(name)
        return len(group) == 1 and group[0].type == "checkbox" and group[0].value == "y"

    def current(self) -> dict[str, str | list[str] | bool]:
        """What the form would send as it is: a value, a list (several checkboxes or a
        multiple select), or True/False (one checkbox)."""
        values: dict[str, str | list[str] | bool] = {}
        for name in self.names():
            group = self.group(name)
            first = group[0]
            if first.tag == "select":
                chosen = [v for v, selected in first.options if selected]
                if first.multiple:
                    values[name] = chosen
                else:
                    values[name] = chosen[0] if chosen else (
                        first.options[0][0] if first.options else "")
            elif self.is_switch(name):
                values[name] = first.checked
            elif first.type == "checkbox":
                values[name] = [c.value for c in group if c.checked]
            elif first.type == "radio":
                values[name] = next((c.value for c in group if c.checked), "")
            else:
                values[name] = first.value
        return values


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: tuple[str, bool] | None = None
        self._option_text: list[str] = []
        self._textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(),
                              a.get("enctype", ""))
            self.forms.append(self._form)
        elif self._form is None or ("name" not in a and tag in ("input", "select", "textarea")):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            self._form.controls.append(Control("input", kind, a["name"], a.get("value", ""),
                                               "checked" in a, a))
        elif tag == "select":
            self._select = Control("select", "select", a["name"], attrs=a,
                                   multiple="multiple" in a)
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = []
        elif tag == "textarea":
            self._textarea = Control("textarea", "textarea", a["name"], attrs=a)
            self._form.controls.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._select is not None and self._option is not None:
            value, selected = self._option
            self._select.options.append(
                (value if value is not None else "".join(self._option_text).strip(), selected))
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea.value
            # HTML drops one newline right after <textarea>.
            self._textarea.value = text[2:] if text.startswith("\r\n") else (
                text[1:] if text.startswith("\n") else text)
            self._textarea = None


def parse_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_fields(html: str, form_index: int = -1) -> dict[str, str]:
    """The values a browser would send for a page's form (text, hidden, checked radios and
    checkboxes, textareas), like a person who changed nothing; the attendance roster's
    form when the page has one."""

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.forms: list[dict[str, str]] = []
            self._textarea: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.forms.append({})
            elif tag == "input" and self.forms and a.get("name"):
                kind = a.get("type", "text")
                if kind in ("radio", "checkbox"):
                    if "checked" in a:
                        self.forms[-1][a["name"]] = a.get("value", "on")
                elif kind not in ("submit", "file"):
                    self.forms[-1][a["name"]] = a.get("value", "")
            elif tag == "textarea" and self.forms:
                self._textarea = a.get("name")
                self.forms[-1][self._textarea] = ""

        def handle_data(self, data):
            if self._textarea:
                self.forms[-1][self._textarea] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                self._textarea = None

    parser = Parser()
    parser.feed(html)
    forms = [f for f in parser.forms if any(k.startswith("marks-") for k in f)] or parser.forms
    return forms[form_index]


def row_index(fields: dict[str, str], enrollment: Enrollment) -> str:
    """The form prefix (e.g. "marks-2") of one participant's row."""
    for name, value in fields.items():
        if name.endswith("-enrollment_id") and value == str(enrollment.id):
            return name.removesuffix("-enrollment_id")
    raise AssertionError(f"no row for enrollment {enrollment.id}")
