"""Certificates: our time per certificate against WeasyPrint alone, and batch throughput.

Not part of the test run; it reports ratios measured in one run and never fails on time.

    .venv/bin/python bench/certificates_bench.py [--count 12] [--batch 12]

1. Per certificate: ``issue_certificate`` (rules, serial, rendering, storing, row) against
   WeasyPrint rendering the same final HTML directly (``HTML(string).write_pdf`` with the
   design's stylesheet, PDF/A-3b), certificate by certificate; the ratio is ours/direct.
   A second baseline parses the stylesheet and its fonts once, as our renderer does, so
   that its ratio shows what issuing adds on top of the rendering itself.
2. Batch throughput with 1 and 2 worker processes (rendering is single-threaded), both
   for rendering alone and for issuing into the database. Issuing serialises on the serial
   counter of a course and year by design (gap-free serials: the number is printed on the
   certificate, so it is taken before rendering and held until the commit).

The database is a temporary SQLite file unless ``LMS_BENCH_DATABASE_URL`` names another
(e.g. ``postgresql://postgres@127.0.0.1:5432/bench`` — its schema is dropped first).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(workdir: Path, database_url: str):
    from lms import create_app

    return create_app({
        "LMS_INSTANCE_PATH": str(workdir / "instance"),
        "LMS_DATABASE_URL": database_url,
        "LMS_STORAGE_DIR": str(workdir / "storage"),
        "LMS_BASE_URL": "https://lms.example.org",
    })


def prepare(workdir: Path, database_url: str) -> None:
    from flask_migrate import upgrade

    from tests.conftest import reset_database

    if not database_url.startswith("sqlite"):
        reset_database(database_url)
    app = make_app(workdir, database_url)
    with app.app_context():
        upgrade()


def seed(app, participants: int) -> list[int]:
    """A finished cohort whose participants may all receive a certificate."""
    from lms.extensions import db
    from tests.factories import load_test_course, make_finished_cohort

    with app.app_context():
        course = load_test_course(ROOT / "course_content" / "social-media-manager")
        _cohort, enrollments = make_finished_cohort(course, participants=participants)
        db.session.commit()
        return [e.id for e in enrollments]


# --------------------------------------------------------------------------- 1: per certificate


def per_certificate(app, enrollment_ids: list[int]) -> dict[str, float]:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from lms.certificates import render
    from lms.certificates.operations import issue_certificate
    from lms.cohorts.models import Enrollment
    from lms.extensions import db

    captured: list[str] = []
    original = render.render_html

    def capture(*args, **kwargs):
        html = original(*args, **kwargs)
        captured.append(html)
        return html

    render.render_html = capture
    ours = []
    with app.app_context():
        warm_up, *measured = enrollment_ids
        issue_certificate(db.session.get(Enrollment, warm_up))  # loads the fonts once
        db.session.commit()
        captured.clear()
        for enrollment_id in measured:
            enrollment = db.session.get(Enrollment, enrollment_id)
            started = time.perf_counter()
            issue_certificate(enrollment)
            db.session.commit()
            ours.append(time.perf_counter() - started)
        design = render.load_design()
    render.render_html = original

    folder = design.folder
    direct = []
    HTML(string=captured[0], base_url=folder.as_uri() + "/").write_pdf(
        stylesheets=[CSS(filename=str(folder / "theme.css"))], pdf_variant=render.PDF_VARIANT)
    for html in captured:
        started = time.perf_counter()
        HTML(string=html, base_url=folder.as_uri() + "/").write_pdf(
            stylesheets=[CSS(filename=str(folder / "theme.css"))],
            pdf_variant=render.PDF_VARIANT)
        direct.append(time.perf_counter() - started)
    # The same, with the stylesheet and its fonts parsed once, as our renderer keeps them.
    fonts = FontConfiguration()
    theme = CSS(filename=str(folder / "theme.css"), font_config=fonts)
    direct_cached = []
    for html in captured:
        started = time.perf_counter()
        HTML(string=html, base_url=folder.as_uri() + "/").write_pdf(
            stylesheets=[theme], font_config=fonts, pdf_variant=render.PDF_VARIANT)
        direct_cached.append(time.perf_counter() - started)
    return {"ours": statistics.median(ours), "direct": statistics.median(direct),
            "direct_cached": statistics.median(direct_cached), "count": len(ours)}


# --------------------------------------------------------------------------- 2: throughput

_APP = None


def _sample_data():
    from datetime import date

    from lms.certificates.render import CertificateData

    return CertificateData(
        kind="certificate", full_name="Jürgen Çelik-Øster", course_title="Social Media Manager",
        provider="TH Köln", provider_unit="Zentrum für akademische Weiterbildung",
        company="Nordlicht Consulting GmbH", starts_on=date(2026, 10, 1),
        ends_on=date(2027, 3, 1), total_hours=120,
        modules=tuple((n, f"Modul {n}", 12) for n in range(1, 11)),
        lecturers=("Katharina Berger", "Mehmet Özdemir"), attended_hours="104",
        issued_on=date(2027, 3, 15), serial="SMM-2027-0001",
        verification_code="K7QX-M2PA-9F3T-RWZB-HC4E",
        verification_url="https://lms.example.org/verify/K7QXM2PA9F3TRWZBHC4E",
    )


def _start_worker(workdir: str, database_url: str, barrier) -> None:
    """Runs once in each worker process: app, imports and fonts are ready before timing."""
    global _APP
    from lms.certificates.render import load_design, render_certificate

    _APP = make_app(Path(workdir), database_url)
    with _APP.app_context():
        render_certificate(load_design(), _sample_data(), "de")
    barrier.wait()


def _issue_worker(ids: list[int]) -> int:
    from lms.certificates.operations import issue_certificate
    from lms.cohorts.models import Enrollment
    from lms.extensions import db

    with _APP.app_context():
        for enrollment_id in ids:
            issue_certificate(db.session.get(Enrollment, enrollment_id))
            db.session.commit()
        db.session.remove()
    return len(ids)


def _render_worker(count: int) -> int:
    from lms.certificates.render import load_design, render_certificate

    with _APP.app_context():
        design = load_design()
        data = _sample_data()
        for _ in range(count):
            render_certificate(design, data, "de")
    return count


def throughput(pool_size: int, jobs: list, worker, workdir: str, database_url: str) -> float:
    """Items per second for ``jobs`` spread over ``pool_size`` warmed-up processes."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(pool_size + 1)
    with context.Pool(pool_size, initializer=_start_worker,
                      initargs=(workdir, database_url, barrier)) as pool:
        barrier.wait()
        started = time.perf_counter()
        done = sum(pool.map(worker, jobs, chunksize=1))
        elapsed = time.perf_counter() - started
    return done / elapsed


def split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts)]


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12, help="certificates timed one by one")
    parser.add_argument("--batch", type=int, default=12, help="certificates per batch run")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database_url = os.environ.get("LMS_BENCH_DATABASE_URL") or \
            f"sqlite:///{workdir / 'bench.sqlite3'}"
        prepare(workdir, database_url)
        app = make_app(workdir, database_url)

        result = per_certificate(app, seed(app, options.count + 1))
        print(f"Per certificate ({result['count']} certificates, median):")
        ms = {key: result[key] * 1000 for key in ("ours", "direct", "direct_cached")}
        print(f"  ours (rules, serial, render, store, row)  {ms['ours']:7.1f} ms")
        print(f"  WeasyPrint on the same final HTML        {ms['direct']:7.1f} ms")
        print(f"    ... with theme and fonts parsed once   {ms['direct_cached']:7.1f} ms")
        print(f"  overhead ratio ours/direct               {ms['ours'] / ms['direct']:7.2f}")
        print(f"  overhead ratio ours/direct (fonts once)  "
              f"{ms['ours'] / ms['direct_cached']:7.2f}")

        print(f"Batch throughput ({options.batch} certificates per run):")
        render_rates = {}
        issue_rates = {}
        for workers in (1, 2):
            render_rates[workers] = throughput(
                workers, [len(part) for part in split(list(range(options.batch)), workers)],
                _render_worker, tmp, database_url)
            ids = seed(app, options.batch)
            issue_rates[workers] = throughput(
                workers, split(ids, workers), _issue_worker, tmp, database_url)
        for workers in (1, 2):
            print(f"  {workers} process{'es' if workers > 1 else '  '}: rendering only "
                  f"{render_rates[workers]:5.2f}/s, issuing {issue_rates[workers]:5.2f}/s")
        print(f"  speed-up with 2 processes: rendering {render_rates[2] / render_rates[1]:.2f}x, "
              f"issuing {issue_rates[2] / issue_rates[1]:.2f}x (one course and year share one "
              "serial counter)")


if __name__ == "__main__":
    main()
