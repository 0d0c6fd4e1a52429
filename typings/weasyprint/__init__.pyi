# WeasyPrint (no py.typed): the parts lms uses. See typings/README.md.
from typing import Any

from .text.fonts import FontConfiguration
from .urls import URLFetcher

class HTML:
    def __init__(
        self,
        guess: Any = None,
        filename: str | None = None,
        url: str | None = None,
        file_obj: Any = None,
        string: str | None = None,
        encoding: str | None = None,
        base_url: str | None = None,
        url_fetcher: URLFetcher | None = None,
        media_type: str = "print",
    ) -> None: ...
    def write_pdf(
        self,
        target: None = None,
        zoom: float = 1,
        finisher: Any = None,
        font_config: FontConfiguration | None = None,
        counter_style: Any = None,
        color_profiles: Any = None,
        **options: Any,
    ) -> bytes: ...

class CSS:
    def __init__(
        self,
        guess: Any = None,
        filename: str | None = None,
        url: str | None = None,
        file_obj: Any = None,
        string: str | None = None,
        encoding: str | None = None,
        base_url: str | None = None,
        url_fetcher: URLFetcher | None = None,
        *,
        font_config: FontConfiguration | None = None,
        **kwargs: Any,
    ) -> None: ...

class Attachment:
    def __init__(
        self,
        guess: Any = None,
        filename: str | None = None,
        url: str | None = None,
        file_obj: Any = None,
        string: str | bytes | None = None,
        base_url: str | None = None,
        url_fetcher: URLFetcher | None = None,
        name: str | None = None,
        description: str | None = None,
        created: Any = None,
        modified: Any = None,
        relationship: str = "Unspecified",
    ) -> None: ...
