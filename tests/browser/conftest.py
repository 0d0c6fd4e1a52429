"""A live server on a file database, a real SMTP server, and Debian's Chromium.

Locally the browser tests skip with a clear message when Chromium or Playwright is
missing; under CI=true that is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.extensions import db
from tests.conftest import _Collector, free_port

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Chromium sometimes cannot capture a frame on a busy machine ("Unable to capture
# screenshot"); the page is the same when asked again, so a screenshot is retried.
SCREENSHOT_TRIES = 3


def screenshot(page, path: Path | str, *, full_page: bool = True) -> None:
    """``page.screenshot`` to ``path``, asked again when Chromium could not capture it."""
    from playwright.sync_api import Error

    for attempt in range(1, SCREENSHOT_TRIES + 1):
        try:
            page.screenshot(path=str(path), full_page=full_page)
            return
        except Error as exc:
            if "Unable to capture screenshot" not in str(exc) or attempt == SCREENSHOT_TRIES:
                raise
            page.wait_for_timeout(200)


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[test]')")
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app, port: int, mail: _Collector) -> None:
        self.app, self.port, self.mail = app, port, mail
        self.url = f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app served on a real port from its own SQLite file, with a real SMTP server."""
    from aiosmtpd.controller import Controller
    from flask_migrate import upgrade

    from lms.curriculum.content import load_course

    folder = tmp_path_factory.mktemp("live")
    port, smtp_port = free_port(), free_port()
    app = create_app({
        "LMS_INSTANCE_PATH": str(folder / "instance"),
        "LMS_DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}",
        "LMS_BASE_URL": f"http://127.0.0.1:{port}",
        "LMS_SMTP_HOST": "127.0.0.1", "LMS_SMTP_PORT": str(smtp_port), "LMS_SMTP_TLS": "none",
        "ARGON2_PROFILE": "CHEAPEST",
    })
    with app.app_context():
        upgrade()
        load_course(Path(__file__).resolve().parents[2] / "course_content" /
                    "social-media-manager")
        db.session.commit()
    mail = _Collector()
    controller = Controller(mail, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, port, mail)
    finally:
        server.shutdown()
        controller.stop()
        with app.app_context():
            db.engine.dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep a screenshot and the page's HTML of every open page when a step fails."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    pages = item.funcargs.get("pages")
    if not pages:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    for name, page in pages.items():
        try:
            screenshot(page, ARTIFACTS / f"{item.name}-{name}.png")
            (ARTIFACTS / f"{item.name}-{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:
            print(f"could not save {name}: {exc}")
