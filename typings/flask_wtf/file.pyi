from collections.abc import Iterable
from typing import Any

from wtforms import Field
from wtforms.fields import FileField as _FileField
from wtforms.form import BaseForm
from wtforms.validators import DataRequired

class FileField(_FileField):
    data: Any

class FileRequired(DataRequired):
    def __init__(self, message: Any = None) -> None: ...
    def __call__(self, form: BaseForm, field: Field) -> None: ...

class FileAllowed:
    def __init__(self, upload_set: Iterable[str], message: Any = None) -> None: ...
    def __call__(self, form: BaseForm, field: Field) -> None: ...

class FileSize:
    def __init__(self, max_size: int, min_size: int = 0, message: Any = None) -> None: ...
    def __call__(self, form: BaseForm, field: Field) -> None: ...
