"""The stored certificate PDF, read back with real PDF tools: text, PDF/A identification,
embedded fonts, metadata, QR payload, hard names, and hostile names and templates."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp

from lms.accounts.models import TitleForm
from lms.certificates.models import CertificateKind
from lms.certificates.operations import issue_certificate
from lms.certificates.queries import group_code
from lms.certificates.render import DEFAULT_DESIGNS_DIR, DesignFetcher, name_size
from lms.extensions import db
from lms.storage import read_stored
from tests.factories import make_finished_cohort
from tests.helpers import pdf_text

ISSUED = datetime(2026, 7, 1, 10, tzinfo=UTC)


def issue_for(course, first="Jürgen", last="Çelik-Øster", title_form=TitleForm.FEMALE,
              language="de"):
    _cohort, (enrollment,) = make_finished_cohort(course)
    enrollment.user.first_name, enrollment.user.last_name = first, last
    enrollment.user.title_form = title_form
    db.session.commit()
    certificate = issue_certificate(enrollment, language=language, now=ISSUED).certificate
    db.session.commit()
    return certificate


def read(certificate) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(read_stored("certificates", certificate.stored_name)))


def fonts(reader: pypdf.PdfReader) -> dict[str, pypdf.generic.DictionaryObject]:
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
    return found


def text_sizes(reader: pypdf.PdfReader) -> list[tuple[str, float]]:
    sizes = []

    def visit(text, _cm, tm, _font, size):
        if text.strip():
            sizes.append((text.strip(), size * tm[0]))

    reader.pages[0].extract_text(visitor_text=visit)
    return sizes


def test_text_names_person_title_form_course_hours_and_serial(course):
    certificate = issue_for(course)
    text = pdf_text(read(certificate))
    assert "ZERTIFIKAT" in text
    assert "Jürgen Çelik-Øster" in text
    assert "Social Media Managerin" in text  # the title form she chose
    assert "Social Media Manager*in" not in text
    assert "TH Köln" in text and "Zentrum für akademische Weiterbildung" in text
    assert "mit einem Umfang von 120 Stunden" in text
    assert "Inhouse-Weiterbildung für " + certificate.enrollment.cohort.company.name in text
    assert "1 Social-Media-Strategie und Ziele 12" in text
    assert "Gesamtumfang 120" in text
    assert "Katharina Berger" in text  # the lecturer of the cohort's meetings
    assert "Köln, den 1. Juli 2026" in text
    assert re.fullmatch(r"SMM-2026-\d{4}", certificate.serial)
    assert f"Seriennummer {certificate.serial}" in text


def test_english_certificate_uses_english_wording_and_title(course):
    certificate = issue_for(course, title_form=TitleForm.MALE, language="en")
    text = pdf_text(read(certificate))
    assert certificate.language == "en"
    assert "CERTIFICATE" in text
    assert "comprising 120 hours" in text
    assert "Social Media Manager" in text
    assert "Social media strategy and goals" in text
    assert "Cologne, 1 July 2026" in text


def test_pdf_a_identification_and_metadata(course):
    certificate = issue_for(course)
    reader = read(certificate)
    xmp = reader.trailer["/Root"]["/Metadata"].get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    info = reader.metadata
    assert info.title == "Zertifikat Social Media Managerin – Jürgen Çelik-Øster"
    assert info.author == "TH Köln – Zentrum für akademische Weiterbildung"
    assert certificate.serial in info.subject
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4


def test_every_font_is_embedded_and_comes_from_the_design(course):
    reader = read(issue_for(course, first="محمد שרה", last="Çelik 😀"))
    found = fonts(reader)
    assert found
    for name, font in found.items():
        assert re.fullmatch(r"/[A-Z]{6}\+THK-[\w-]+", name), name  # subset of a design font
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), name
    families = {name.split("+", 1)[1] for name in found}
    assert {"THK-Naskh", "THK-Hebrew", "THK-Emoji", "THK-Garamond"} <= families


def test_qr_code_holds_the_verification_url(course):
    certificate = issue_for(course)
    page = pypdfium2.PdfDocument(read_stored("certificates", certificate.stored_name))[0]
    image = page.render(scale=4).to_pil()
    payloads = [code.text for code in zxingcpp.read_barcodes(image)]
    assert payloads == [f"http://lms.test/verify/{certificate.verification_code}"]


# Print addresses of every sort: an IP with a port, a short host, a typical one, a long one.
PRINT_BASES = ("http://127.0.0.1:5000", "http://lms.test", "https://lms.example.org",
               "https://zertifikate.weiterbildung.zentrum.th-koeln.example")


def fail_first_assessment(cohort, enrollment) -> None:
    from lms.assignments.models import Assignment
    from lms.assignments.operations import grade

    assignment = db.session.scalars(db.select(Assignment).filter_by(cohort_id=cohort.id)
                                    .order_by(Assignment.id)).first()
    if assignment.grading.value == "points":
        grade(assignment, enrollment, points=0)
    else:
        grade(assignment, enrollment, passed=False)


def page_lines(certificate) -> list[str]:
    return [line.strip() for line in read(certificate).pages[0].extract_text().splitlines()]


@pytest.mark.parametrize("kind", [CertificateKind.CERTIFICATE, CertificateKind.CONFIRMATION])
@pytest.mark.parametrize("language", ["de", "en"])
def test_the_printed_address_serial_and_code_are_never_broken_inside(app, course, monkeypatch,
                                                                     kind, language):
    """A reader types the address from paper: it stands on a line of its own, whole, and
    so do the serial number and the code; no line ends in "https://" or "/verify/"."""
    for base in PRINT_BASES:
        monkeypatch.setitem(app.config, "LMS_BASE_URL", base)
        cohort, (enrollment,) = make_finished_cohort(course)
        if kind == CertificateKind.CONFIRMATION:  # attended, but one assessment not passed
            fail_first_assessment(cohort, enrollment)
        certificate = issue_certificate(enrollment, kind=kind, language=language,
                                        now=ISSUED).certificate
        db.session.commit()
        lines = page_lines(certificate)
        where = f"{base} ({kind.value}, {language})"
        assert f"{base}/verify/{certificate.verification_code}" in lines, (where, lines[-4:])
        assert any(line.endswith(certificate.serial) for line in lines), where
        assert any(line.endswith(group_code(certificate.verification_code)) for line in lines)
        assert not [line for line in lines if line.endswith(("://", "/verify/", "/verify"))]


def test_an_address_too_long_for_its_line_breaks_before_verify_only(app, course, monkeypatch):
    base = ("https://zertifikate.weiterbildung.zentrum.th-koeln.example"
            "/lms-instanz-fuer-zertifikatskurse-weiterbildung")
    monkeypatch.setitem(app.config, "LMS_BASE_URL", base)
    lines = page_lines(certificate := issue_for(course))
    index = lines.index(base)
    assert lines[index + 1] == f"/verify/{certificate.verification_code}"


def test_hard_names_render(course):
    reader = read(issue_for(course, first="محمد عبد الله", last="כהן 😀🎓"))
    runs = [text for text, _size in text_sizes(reader)]
    assert "محمد عبد الله" in runs  # Arabic, in logical order
    assert "כהן" in runs  # Hebrew
    assert "😀🎓" in runs
    assert len(reader.pages) == 1


def test_a_120_character_double_name_shrinks_to_fit(course):
    first = "Maximiliane Konstantina Friederike"
    last = "von Hohenberg-Schwarzenfeld zu Liechtenstein und Çelik-Øster-Abdelrahman-Lüdenscheidt"
    full = f"{first} {last}"
    assert len(full) == 120
    long_reader = read(issue_for(course, first=first, last=last))
    short_reader = read(issue_for(course, first="Jürgen", last="Çelik-Øster"))
    assert len(long_reader.pages) == 1
    text = pdf_text(long_reader)
    assert re.sub(r"[\s-]", "", full) in re.sub(r"[\s-]", "", text)
    assert "Seriennummer SMM-2026-" in text  # the footer is still there
    long_size = max(size for t, size in text_sizes(long_reader) if t.startswith("Maximiliane"))
    short_size = max(size for t, size in text_sizes(short_reader) if t.startswith("Jürgen"))
    assert long_size < short_size * 0.6
    assert name_size(full) == "xs" and name_size("Jürgen Çelik-Øster") == "xl"


# --------------------------------------------------------------------------- hostile input


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the renderer asked for, and whether it was served."""
    log: list[tuple[str, bool]] = []
    original = DesignFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except ValueError:
            log.append((url, False))
            raise
        log.append((url, True))
        return response

    monkeypatch.setattr(DesignFetcher, "fetch", spy)
    return log


def test_a_hostile_name_is_escaped_and_fetches_nothing(course, http_server, fetched):
    base, hits = http_server
    first = '<script>alert(1)</script><img src="file:///etc/passwd">'
    last = f'<img src="{base}/x.png"><link rel=stylesheet href="{base}/a.css">'
    certificate = issue_for(course, first=first, last=last)
    reader = read(certificate)
    text = pdf_text(reader)
    assert "<script>alert(1)</script>" in text  # shown as the letters it is
    assert 'src="file:///etc/passwd"' in text
    assert "root:" not in text
    assert hits == []
    assert all(url.startswith(DEFAULT_DESIGNS_DIR.as_uri()) for url, _ in fetched)
    images = [x for x in (reader.pages[0]["/Resources"].get("/XObject") or {}).values()
              if x.get_object().get("/Subtype") == "/Image"]
    assert images == []


@pytest.fixture
def hostile_design(app, tmp_path, http_server):
    base, _hits = http_server
    designs = tmp_path / "designs"
    shutil.copytree(DEFAULT_DESIGNS_DIR / "thk", designs / "thk", ignore=shutil.ignore_patterns(
        "NotoColorEmoji.ttf"))
    (tmp_path / "outside.png").write_bytes(Path(DEFAULT_DESIGNS_DIR / "thk/logo.svg").read_bytes())
    (designs / "thk/fonts/linked.svg").symlink_to(tmp_path / "outside.png")
    template = designs / "thk/template.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "<main>",
        f'<main><img src="file:///etc/passwd"><img src="{base}/tracker.png">'
        f'<link rel="stylesheet" href="{base}/evil.css"><img src="../outside.png">'
        f'<img src="fonts/linked.svg"><iframe src="file:///etc/hostname"></iframe>'
        f'<object data="{base}/object"></object>',
    ), encoding="utf-8")
    theme = designs / "thk/theme.css"
    theme.write_text(f'@import url("{base}/import.css");\n'
                     f'body {{ background: url("file:///etc/passwd"); }}\n'
                     + theme.read_text(encoding="utf-8"), encoding="utf-8")
    app.config["LMS_CERTIFICATE_DESIGNS_DIR"] = str(designs)
    yield designs
    app.config.pop("LMS_CERTIFICATE_DESIGNS_DIR")


def test_a_hostile_template_fetches_nothing_outside_its_folder(course, hostile_design,
                                                               http_server, fetched):
    _base, hits = http_server
    certificate = issue_for(course)
    assert certificate.id
    assert hits == []
    refused = {url for url, served in fetched if not served}
    assert "file:///etc/passwd" in refused
    assert any(url.endswith("/tracker.png") for url in refused)
    assert any(url.endswith("/outside.png") for url in refused)
    assert any(url.endswith("/linked.svg") for url in refused)  # a symlink leading out
    served = [url for url, ok in fetched if ok]
    assert served and all(url.startswith((hostile_design / "thk").as_uri()) for url in served)


def test_the_fetcher_serves_only_its_folder(tmp_path):
    (tmp_path / "inside.css").write_text("p {}")
    fetcher = DesignFetcher(tmp_path)
    assert fetcher.fetch((tmp_path / "inside.css").as_uri()).read() == b"p {}"
    for url in ("file:///etc/passwd", (tmp_path / ".." / "x").as_uri(),
                "http://127.0.0.1/", "https://example.org/a.png", "data:text/plain,hi",
                "ftp://example.org/a", (tmp_path / "missing.css").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_malformed_design_is_refused_with_its_reason(app, tmp_path):
    from lms.certificates.render import DesignError, load_design

    with pytest.raises(DesignError, match="does not exist"):
        load_design("missing", tmp_path)
    with pytest.raises(DesignError, match="not a design name"):
        load_design("../thk", tmp_path)
    folder = tmp_path / "bad"
    shutil.copytree(DEFAULT_DESIGNS_DIR / "thk", folder, ignore=shutil.ignore_patterns("*.ttf",
                                                                                      "*.otf"))
    meta = (folder / "design.toml").read_text(encoding="utf-8")
    (folder / "design.toml").write_text(meta.replace('page_size = "A4"',
                                                     'page_size = "A4; } body { x"'))
    with pytest.raises(DesignError, match="not a CSS page size"):
        load_design("bad", tmp_path)
    (folder / "design.toml").write_text(meta.replace('languages = ["de", "en"]',
                                                     'languages = ["de", "fr"]'))
    with pytest.raises(DesignError, match=r"\[text.<language>\]"):
        load_design("bad", tmp_path)
    (folder / "design.toml").write_text("name = ")
    with pytest.raises(DesignError, match=r"design\.toml"):
        load_design("bad", tmp_path)


def test_the_page_size_comes_from_the_design(course, app, tmp_path):
    designs = tmp_path / "designs"
    shutil.copytree(DEFAULT_DESIGNS_DIR / "thk", designs / "thk")
    meta = designs / "thk/design.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace('page_size = "A4"',
                                                             'page_size = "A4 landscape"'))
    app.config["LMS_CERTIFICATE_DESIGNS_DIR"] = str(designs)
    try:
        reader = read(issue_for(course))
    finally:
        app.config.pop("LMS_CERTIFICATE_DESIGNS_DIR")
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)


@pytest.mark.slow
def test_a_process_that_rendered_a_certificate_exits_cleanly(tmp_path):
    """The CLI (`lms certificates issue`) and gunicorn workers end like this: freeing the
    cached fonts during the interpreter's teardown used to end them with SIGSEGV."""
    script = "\n".join((
        "from lms import create_app",
        "from lms.certificates.render import html_to_pdf, load_design",
        f"app = create_app({{'LMS_INSTANCE_PATH': {str(tmp_path)!r},",
        "                  'LMS_BASE_URL': 'https://lms.example.org'})",
        "with app.app_context():",
        "    assert html_to_pdf(load_design(), '<p>Test</p>').startswith(b'%PDF')",
    ))
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
