"""Security checks that run with the suite: bandit over ``lms/``, the security headers
on every HTML page, and files served as attachments that the browser may not sniff.

(That every state-changing route refuses a request without a CSRF token is checked in
``tests/security/test_access_matrix.py``.)
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import build_matrix_world, login
from tests.security.test_access_matrix import MATRIX, _url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(app, course_dir):
    return build_matrix_world(course_dir)


@pytest.mark.slow
def test_bandit_finds_nothing_of_medium_or_high_severity():
    """Every medium or high finding is either fixed or explained with ``# nosec BXXX``
    and a reason at its line."""
    if importlib.util.find_spec("bandit") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("bandit is not installed (pip install -e '.[test]')")
        pytest.skip("bandit is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", "lms", "-f", "json", "-q",
         "--severity-level", "medium"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )
    report = json.loads(result.stdout)
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
                for r in report["results"]]
    assert not findings, "\n".join(findings)
    assert not report["errors"], report["errors"]
    assert result.returncode == 0, result.stderr


def _csp_directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def _check_html_headers(response, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    assert csp, f"{where}: no Content-Security-Policy"
    directives = _csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, f"{where}: CSP without script-src or default-src"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in {"same-origin", "no-referrer",
                                              "strict-origin-when-cross-origin"}, where


# Non-HTML answers of GET routes: what they are, and whether they are files to save.
FILES = {
    "lecturer.attendance_sheet", "lecturer.download_all", "lecturer.download_submission",
    "coordinator.attendance_csv", "coordinator.attendance_xlsx", "coordinator.grades_download",
    "coordinator.attendance_sheet", "coordinator.download_all",
    "coordinator.download_submission", "participant.my_submission",
    "participant.certificate_download", "coordinator.certificate_download",
    "feeds.meeting_ics", "participant.certificate_credential",
    "lecturer.evaluation_pdf", "lecturer.evaluation_csv", "coordinator.evaluation_pdf",
    "coordinator.evaluation_csv", "lecturer.material_version", "coordinator.material_version",
    "lecturer.course_material", "coordinator.course_material", "participant.material_download",
    "participant.course_material_download", "participant.module_zip",
    "coordinator.job_download",
    "public.data_download", "coordinator.export_download",
}
# Not files: a calendar subscription (read by calendar programs), JSON for a script,
# the stylesheet, the health and readiness checks, and what credential verifiers read
# (the DID document, the status lists).
NOT_FILES = {"feeds.feed", "lecturer.check_in_status", "static", "public.healthz",
             "public.readyz", "credentials.did_json", "credentials.status_list"}


def _walk_get_routes(app, world, role: str):
    people, objects = world
    client = app.test_client()
    login(client, people[role])
    for endpoint, routes in sorted(MATRIX.items()):
        for route in routes:
            if route.method != "GET":
                continue
            url = _url(app, endpoint, route, objects)
            yield endpoint, url, client.get(url)


@pytest.mark.parametrize("role", ["coordinator", "participant", "lecturer"])
def test_every_html_page_carries_the_security_headers(app, world, role):
    pages = 0
    for endpoint, url, response in _walk_get_routes(app, world, role):
        where = f"GET {url} ({endpoint}) as {role}: {response.status_code}"
        # every answer, whatever its type, may not be sniffed into something else
        assert response.headers.get("X-Content-Type-Options") == "nosniff", where
        if response.mimetype == "text/html":
            _check_html_headers(response, where)
            pages += 1
        elif response.status_code == 200:
            assert endpoint in FILES | NOT_FILES, f"{where}: {response.mimetype} unclassified"
    assert pages >= 10


def test_anonymous_pages_and_error_pages_carry_the_security_headers(client, app):
    for url in ("/login", "/password/forgot", "/verify/", "/invitation/bogus",
                "/no-such-page"):
        response = client.get(url)
        assert response.mimetype == "text/html", url
        _check_html_headers(response, f"GET {url}: {response.status_code}")


@pytest.mark.parametrize("role", ["coordinator", "participant", "lecturer"])
def test_uploads_certificates_and_feeds_are_served_as_files_not_sniffed(app, world, role):
    served = set()
    for endpoint, url, response in _walk_get_routes(app, world, role):
        if response.status_code != 200 or response.mimetype == "text/html":
            continue
        where = f"GET {url} ({endpoint}) as {role}"
        assert response.headers.get("X-Content-Type-Options") == "nosniff", where
        disposition = response.headers.get("Content-Disposition", "")
        if endpoint in FILES:
            assert disposition.startswith("attachment"), f"{where}: {disposition!r}"
            served.add(endpoint)
        elif endpoint == "feeds.feed":
            assert response.mimetype == "text/calendar", where
            assert not disposition.startswith("attachment"), where  # subscribed, not saved
            served.add(endpoint)
    expected = {
        "coordinator": {"coordinator.download_submission", "coordinator.certificate_download",
                        "coordinator.attendance_csv", "coordinator.attendance_xlsx",
                        "coordinator.grades_download", "feeds.feed"},
        "participant": {"participant.my_submission", "participant.certificate_download",
                        "feeds.meeting_ics", "feeds.feed"},
        "lecturer": {"lecturer.download_submission", "lecturer.attendance_sheet",
                     "feeds.feed"},
    }[role]
    assert expected <= served, f"not checked as {role}: {sorted(expected - served)}"
