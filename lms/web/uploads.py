"""The size limit of an uploaded file, checked on the file itself.

``MAX_CONTENT_LENGTH`` bounds the whole request, which is the file plus the other
fields and the multipart framing: a file of exactly the limit must still pass it, so
the request limit leaves room above the file limit (see lms/config.py), and the file
limit is checked here, on the field, with a message that names it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import StopValidation

from lms.i18n import filesize


def upload_limit() -> int:
    """The largest file a form takes, in bytes (``LMS_MAX_UPLOAD_MB``)."""
    return int(current_app.config["LMS_MAX_UPLOAD_BYTES"])


class FileWithinLimit:
    """A FileField validator: at most ``limit`` bytes (a number or a function that
    returns one; by default the site's upload limit)."""

    def __init__(self, limit: int | Callable[[], int] = upload_limit) -> None:
        self.limit = limit

    def __call__(self, form: Form, field: Field) -> None:
        data = field.data
        stream = getattr(data, "stream", None)
        if stream is None:
            return
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        limit = self.limit() if callable(self.limit) else self.limit
        if size > limit:
            raise StopValidation(str(_l("The file is larger than %(limit)s. Nothing was stored.",
                                        limit=filesize(limit))))
