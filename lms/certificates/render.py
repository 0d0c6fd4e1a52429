"""Rendering a certificate: a design's Jinja template and theme, WeasyPrint, PDF/A-3b.

A design is data in ``certificates/<design>/`` (``design.toml``, ``template.html``,
``theme.css``, fonts, logo). Rendering reads nothing else: the URL fetcher serves only
files inside the design's own folder, so a template, a stylesheet or a participant's
name that points at ``file:///etc/passwd`` or an ``http`` address fetches nothing.
Names are data, never markup: the template environment escapes everything and is
sandboxed.
"""

from __future__ import annotations

import atexit
import re
import threading
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from babel.dates import format_date
from flask import current_app
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# What every certificate is written as: PDF/A-3b keeps it readable for decades.
PDF_VARIANT = "pdf/a-3b"
DEFAULT_DESIGN = "thk"
DATE_LOCALES = {"en": "en_GB"}
# A CSS page size such as "A4", "A5 landscape" or "210mm 297mm".
PAGE_SIZE = re.compile(r"[A-Za-z0-9. ]{1,40}")
DEFAULT_DESIGNS_DIR = Path(__file__).resolve().parent.parent.parent / "certificates"


class DesignError(ValueError):
    """A design is missing or malformed; the message names the file and the reason."""


class RenderError(RuntimeError):
    """WeasyPrint or the template could not produce the certificate."""


@dataclass(frozen=True)
class Design:
    key: str
    folder: Path
    name: str
    page_size: str
    languages: tuple[str, ...]
    place: dict[str, str]
    author: str
    texts: dict[str, dict[str, str]]
    signatures: tuple[dict[str, str], ...] = ()

    def language_for(self, wanted: str) -> str:
        """The wanted language if the design has it, else its first."""
        return wanted if wanted in self.languages else self.languages[0]


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate; nothing is looked up while rendering."""

    kind: str  # "certificate" | "confirmation"
    full_name: str
    course_title: str  # the title form the participant chose, in the certificate's language
    provider: str
    provider_unit: str
    company: str
    starts_on: date
    ends_on: date
    total_hours: int
    modules: tuple[tuple[int, str, int], ...]  # (number, title, hours)
    lecturers: tuple[str, ...]
    attended_hours: str  # formatted, for the confirmation of participation
    issued_on: date
    serial: str
    verification_code: str  # grouped for reading, e.g. "K7QX-M2PA-…"
    verification_url: str


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside the PDF/A-3 as an associated file (the certificate's
    credential: ``AFRelationship`` Data, the document's data in machine-readable form)."""

    name: str
    data: bytes
    media_type: str
    description: str
    created: datetime
    relationship: str = "Data"

    def attachment(self) -> Attachment:
        return Attachment(string=self.data, name=self.name, description=self.description,
                          created=self.created, modified=self.created,
                          relationship=self.relationship)


# --------------------------------------------------------------------------- designs


def designs_dir() -> Path:
    configured = current_app.config.get("LMS_CERTIFICATE_DESIGNS_DIR")
    return Path(configured) if configured else DEFAULT_DESIGNS_DIR


def load_design(key: str = DEFAULT_DESIGN, base: Path | None = None) -> Design:
    """Read ``design.toml`` of the design ``key``; refuse a malformed one with a reason."""
    base = base or designs_dir()
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise DesignError(f"not a design name: {key!r}")
    folder = (base / key).resolve()
    meta_path = folder / "design.toml"
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DesignError(f"{meta_path}: the design {key!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DesignError(f"{meta_path}: {exc}") from None
    for required in ("name", "page_size", "languages", "text"):
        if required not in meta:
            raise DesignError(f"{meta_path}: '{required}' is missing")
    if not PAGE_SIZE.fullmatch(str(meta["page_size"])):
        raise DesignError(f"{meta_path}: page_size {meta['page_size']!r} is not a CSS page size")
    languages = tuple(meta["languages"])
    if not languages or any(lang not in meta["text"] for lang in languages):
        raise DesignError(f"{meta_path}: every language needs its [text.<language>] table")
    for needed in ("template.html", "theme.css"):
        if not (folder / needed).is_file():
            raise DesignError(f"{folder / needed}: missing")
    return Design(
        key=key,
        folder=folder,
        name=meta["name"],
        page_size=meta["page_size"],
        languages=languages,
        place=dict(meta.get("place", {})),
        author=meta.get("author", meta["name"]),
        texts={lang: dict(meta["text"][lang]) for lang in languages},
        signatures=tuple(meta.get("signatures", ())),
    )


# --------------------------------------------------------------------------- fetching


class DesignFetcher(URLFetcher):
    """Serves files inside one folder and refuses everything else, whatever the scheme."""

    def __init__(self, folder: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.folder = folder.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._inside(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"outside the design folder: {url}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())

    def _inside(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve()
        except (OSError, ValueError):
            return None
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        return path


# --------------------------------------------------------------------------- rendering

_local = threading.local()


@atexit.register
def _release_fonts() -> None:
    """A font configuration holds Pango and fontconfig objects. Left to the interpreter's
    final teardown, freeing them called into libraries already gone, and the process
    died with SIGSEGV after its work was done (the CLI's exit code was 139); freed here,
    while everything is still in place, they go quietly. (Threads that ended took their
    own caches with them.)"""
    _local.__dict__.clear()


def _design_css(design: Design, fetcher: DesignFetcher) -> tuple[CSS, FontConfiguration]:
    """The theme with its fonts loaded once per design, process and thread (WeasyPrint
    objects are not shared between threads)."""
    cache: dict[tuple[Path, float, str], tuple[CSS, FontConfiguration]]
    cache = _local.__dict__.setdefault("css", {})
    theme = design.folder / "theme.css"
    key = (design.folder, theme.stat().st_mtime, design.page_size)
    if key not in cache:
        font_config = FontConfiguration()
        css = CSS(
            # The design's page size (design.toml) has the last word.
            string=theme.read_text(encoding="utf-8") + f"\n@page {{ size: {design.page_size}; }}\n",
            base_url=design.folder.as_uri() + "/",
            url_fetcher=fetcher,
            font_config=font_config,
        )
        cache[key] = (css, font_config)
    return cache[key]


_environments: dict[Path, SandboxedEnvironment] = {}


def _environment(design: Design) -> SandboxedEnvironment:
    """One sandboxed, autoescaping environment per design folder (Jinja environments are
    safe to share between threads; a changed template is reloaded)."""
    env = _environments.get(design.folder)
    if env is None:
        env = _environments.setdefault(design.folder, SandboxedEnvironment(
            loader=FileSystemLoader(design.folder),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,
        ))
    return env


def name_size(name: str) -> str:
    """A size class so that a long name shrinks to fit the line instead of overflowing."""
    length = len(name)
    for limit, size in ((28, "xl"), (40, "l"), (56, "m"), (80, "s")):
        if length <= limit:
            return size
    return "xs"


def render_html(design: Design, data: CertificateData, language: str) -> str:
    """The certificate's final HTML (what WeasyPrint lays out)."""
    lang = design.language_for(language)
    texts = design.texts[lang]

    def say(key: str, **values: Any) -> Markup:
        # The design's sentence, with every value escaped as it is put in.
        # B704 is a false positive: the text is escaped, Markup.format escapes the values.
        return Markup(escape(texts[key])).format(**values)  # noqa: S704  # nosec B704

    def long_date(value: date) -> str:
        # British order for English ("15 March 2027"), as a German university writes it.
        return format_date(value, "long", locale=DATE_LOCALES.get(lang, lang))

    env = _environment(design)
    template = env.get_template("template.html")
    return template.render(
        c=data,
        lang=lang,
        t=texts,
        say=say,
        long_date=long_date,
        place=design.place.get(lang, ""),
        signatures=[{"name": s.get("name", ""), "role": s.get(f"role_{lang}", "")}
                    for s in design.signatures],
        name_size=name_size(data.full_name),
        qr_svg=qr_svg(data.verification_url),
        design_name=design.name,
        author=design.author,
    )


def qr_svg(url: str) -> Markup:
    """The QR code of the verification address as inline SVG (no file, nothing fetched)."""
    import segno

    code = segno.make(url, error="m", micro=False)
    # B704 is a false positive: segno's own SVG of our own URL (segno escapes the URL it encodes)
    return Markup(  # noqa: S704  # nosec B704
        code.svg_inline(scale=1, border=0, omitsize=True, svgclass="qr-code", dark="#1d1d1f")
    )


def html_to_pdf(design: Design, html: str, files: tuple[EmbeddedFile, ...] = ()) -> bytes:
    """Lay out ``html`` as PDF/A with embedded fonts (and ``files`` embedded as associated
    files); only the design folder is readable."""
    fetcher = DesignFetcher(design.folder)
    css, font_config = _design_css(design, fetcher)
    document = HTML(string=html, base_url=design.folder.as_uri() + "/", url_fetcher=fetcher)
    try:
        return document.write_pdf(
            stylesheets=[css], font_config=font_config, pdf_variant=PDF_VARIANT,
            uncompressed_pdf=False, pdf_tags=False,
            attachments=[f.attachment() for f in files],
        )
    except Exception as exc:  # WeasyPrint raises many kinds; the caller needs one
        raise RenderError(f"the certificate could not be rendered: {exc}") from exc


def render_certificate(design: Design, data: CertificateData, language: str,
                       files: tuple[EmbeddedFile, ...] = ()) -> bytes:
    try:
        html = render_html(design, data, language)
    except Exception as exc:  # template errors, missing texts
        raise RenderError(f"the design {design.key!r} could not be filled in: {exc}") from exc
    return html_to_pdf(design, html, files)


def warm_up(design_key: str = DEFAULT_DESIGN) -> None:
    """Render a specimen once (thrown away), so that this process holds the design's
    stylesheet and fonts: a worker does it before it forks a process per job, and each
    fork then starts warm instead of loading the fonts again (several seconds)."""
    from datetime import UTC, datetime

    design = load_design(design_key)
    today = datetime.now(UTC).date()
    for language in design.languages:
        specimen = CertificateData(
            kind="certificate", full_name="Erika Mustermann", course_title="Specimen",
            provider="Specimen", provider_unit="", company="Specimen", starts_on=today,
            ends_on=today, total_hours=1, modules=((1, "Specimen", 1),), lecturers=(),
            attended_hours="1", issued_on=today, serial="WARM-0000-0000",
            verification_code="0000-0000-0000-0000-0000",
            verification_url="http://localhost/verify/00000000000000000000")
        render_certificate(design, specimen, language, (EmbeddedFile(
            name="specimen.json", data=b"{}", media_type="application/json",
            description="specimen", created=datetime.now(UTC)),))
