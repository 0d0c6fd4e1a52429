# Flask-WTF 1.x (no py.typed): the parts lms uses, on top of types-WTForms. See typings/README.md.
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup
from wtforms import Form

from .csrf import CSRFProtect as CSRFProtect

class FlaskForm(Form):
    def __init__(self, formdata: Any = ..., **kwargs: Any) -> None: ...
    def is_submitted(self) -> bool: ...
    def validate_on_submit(
        self, extra_validators: Mapping[str, Sequence[Any]] | None = None
    ) -> bool: ...
    def hidden_tag(self, *fields: Any) -> Markup: ...

__all__ = ["CSRFProtect", "FlaskForm"]
