"""Export (Art. 15/20): one ZIP with a JSON file per area in the documented format, the
person's files, certificates and credentials, and a summary to read; nobody else's data;
through the web (the person, the coordination) and the command line."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.privacy.export import FORMAT, ExportError, build_export, start_export
from lms.privacy.models import DataExport, ExportState
from lms.privacy.registry import declarations
from lms.storage import stored_path
from tests.helpers import login, text_of
from tests.privacy.world import EMAIL, FIRST, HANDED_IN, LAST, build_person_world


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path):
    saved = app.config["LMS_STORAGE_DIR"]
    app.config["LMS_STORAGE_DIR"] = str(tmp_path / "storage")
    yield
    app.config["LMS_STORAGE_DIR"] = saved


@pytest.fixture
def world(app, course):
    built = build_person_world(course)
    db.session.commit()
    return built


def _zip(export: DataExport) -> zipfile.ZipFile:
    stored = stored_path(export.storage_area, export.stored_name)
    return zipfile.ZipFile(io.BytesIO(stored.read_bytes()))


def _export(person, by=None) -> DataExport:
    export = build_export(start_export(person, by=by or person))
    db.session.commit()
    return export


def test_the_zip_holds_every_area_the_files_and_the_documents(app, world):
    steps = []
    export = build_export(start_export(world.person, by=world.person),
                          progress=lambda done, total: steps.append((done, total)))
    db.session.commit()
    assert export.state == ExportState.READY and export.size_bytes > 0
    archive = _zip(export)
    names = set(archive.namelist())
    for area in ("accounts", "cohorts", "attendance", "assignments", "certificates",
                 "credentials", "ical", "notifications", "audit"):
        assert f"data/{area}.json" in names, area
    assert {"schema.json", "index.html"} <= names
    handed_in = [n for n in names if n.startswith("files/")]
    assert handed_in and all(archive.read(n) == HANDED_IN for n in handed_in)
    for serial, pdf in world.pdfs.items():
        assert archive.read(f"certificates/{serial}.pdf") == pdf
        assert archive.read(f"certificates/{serial}.credential.json").decode() == (
            world.credentials[serial])
    # Progress is reported step by step up to the total.
    assert steps[-1][0] == steps[-1][1] and [d for d, _t in steps] == list(
        range(1, len(steps) + 1))


def test_every_file_follows_the_documented_format(app, world):
    archive = _zip(_export(world.person))
    schema = json.loads(archive.read("schema.json"))
    assert schema["format"] == FORMAT
    documented = schema["tables"]
    assert set(documented) == {d.table for d in declarations()}
    for name in archive.namelist():
        if not name.startswith("data/"):
            continue
        document = json.loads(archive.read(name))
        assert document["format"] == FORMAT and document["version"] == 1
        assert document["person"] == {"id": world.person.id}
        for table, records in document["tables"].items():
            for row in records:
                unknown = set(row) - {"id", "context"} - set(documented[table])
                assert not unknown, f"{name}: {table} has undocumented fields {unknown}"
    accounts = json.loads(archive.read("data/accounts.json"))["tables"]
    me = accounts["user_account"][0]
    assert (me["first_name"], me["last_name"], me["email"]) == (FIRST, LAST, EMAIL)
    assert "password_hash" not in me  # a secret, withheld
    attendance = json.loads(archive.read("data/attendance.json"))["tables"]
    assert {r["status"] for r in attendance["attendance"]} == {"present"}
    assert attendance["absence_notice"][0]["reason"] == f"Arzttermin von {FIRST} {LAST}"
    grades = json.loads(archive.read("data/assignments.json"))["tables"]["grade"]
    assert all(g["feedback"] == f"Sehr gut, Frau {LAST}." for g in grades)


def test_nothing_of_anyone_else_is_in_it(app, world):
    archive = _zip(_export(world.person))
    readable = " ".join(archive.read(n).decode() for n in archive.namelist()
                        if n.endswith((".json", ".html")) and not n.startswith("certificates/"))
    for other in ("Jürgen", "Müller", "Sabine Hoffmann", "sabine.hoffmann",
                  world.other.user.email, "Katharina Berger", world.lecturer.email):
        assert other not in readable
        assert json.dumps(other)[1:-1] not in readable


def test_the_summary_reads_in_the_persons_language(app, world):
    html = _zip(_export(world.person)).read("index.html").decode()
    assert f"{FIRST} {LAST}" in html and "Ihre Anwesenheit" in html
    assert "<script" not in html and "http" not in html.split("<body>")[1].lower().replace(
        "https://w3id.org", "")  # (nothing fetched when it is opened)


def test_a_lecturer_and_a_contact_get_theirs(app, world):
    lecturer = json.loads(_zip(_export(world.lecturer)).read("data/schedule.json"))
    assert len(lecturer["tables"]["meeting_lecturer"]) == 2
    contact = _zip(_export(world.contact))
    cohorts = json.loads(contact.read("data/cohorts.json"))["tables"]
    assert cohorts["cohort_contact"][0]["context"]["cohort"] == world.cohort.name
    assert cohorts["company"][0]["contact_email"] == world.contact.email


def test_one_export_at_a_time_and_none_of_an_erased_person(app, world):
    start_export(world.person, by=world.person)
    with pytest.raises(ExportError):
        start_export(world.person, by=world.person)


def test_the_person_downloads_their_data_from_the_account_page(app, world):
    client = app.test_client()
    login(client, EMAIL)
    answer = client.post("/account/data", follow_redirects=True)
    assert "Ihre Daten sind fertig" in text_of(answer)
    export = db.session.scalar(sa.select(DataExport))
    download = client.get(f"/account/data/{export.id}")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "private, no-store"
    assert "data/accounts.json" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    # Anybody else: not there.
    other = app.test_client()
    login(other, world.other.user.email)
    assert other.get(f"/account/data/{export.id}").status_code == 404
    coordinator = app.test_client()
    login(coordinator, world.coordinator.email)
    assert coordinator.get(f"/account/data/{export.id}").status_code == 404
    started = db.session.scalar(sa.select(AuditEvent).filter_by(action="privacy.export_started"))
    assert started.actor_id == world.person.id and started.after == {"asked_by": "self"}


def test_the_coordination_makes_one_for_anyone_audited(app, world):
    client = app.test_client()
    login(client, world.coordinator.email)
    page = client.post(f"/coordination/people/{world.person.id}/export", follow_redirects=True)
    assert "Die Datenauskunft ist fertig" in text_of(page)
    export = db.session.scalar(sa.select(DataExport))
    assert export.requested_by_id == world.coordinator.id
    download = client.get(f"/coordination/exports/{export.id}")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    actions = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "data_export").order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id) for e in actions] == [
        ("privacy.export_started", world.coordinator.id),
        ("privacy.export_downloaded", world.coordinator.id)]


def test_a_failed_export_says_so_and_leaves_no_file(app, world, monkeypatch):
    from lms.privacy import export as export_module

    def broken(area, name):
        raise OSError("disk gone")

    monkeypatch.setattr(export_module, "_read", broken)
    client = app.test_client()
    login(client, EMAIL)
    page = client.post("/account/data", follow_redirects=True)
    assert "konnten nicht zusammengestellt werden" in text_of(page)
    export = db.session.scalar(sa.select(DataExport))
    assert export.state == ExportState.FAILED and export.stored_name is None
    assert "disk gone" in export.error
    folder = Path(app.config["LMS_STORAGE_DIR"]) / DataExport.storage_area
    assert not folder.exists() or not any(folder.iterdir())


def test_export_on_the_command_line(app, world, runner, tmp_path):
    target = tmp_path / "export.zip"
    result = runner.invoke(args=["privacy", "export", EMAIL, "--output", str(target),
                                 "--by", world.coordinator.email])
    assert result.exit_code == 0, result.output
    assert "data/accounts.json" in zipfile.ZipFile(target).namelist()
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="privacy.export_started"))
    assert event.actor_id == world.coordinator.id
    unknown = runner.invoke(args=["privacy", "export", "x@example.org", "--output",
                                  str(target)])
    assert unknown.exit_code == 1


def test_a_large_export_is_a_job_and_the_page_shows_its_progress(app, world, monkeypatch):
    """The request only starts it: the queue's worker builds it (inline without Redis),
    committing its progress; the account page shows how far it got."""
    from lms.privacy.export import run_export
    from lms.web.shared import exports as pages

    queued = []
    monkeypatch.setattr(pages, "enqueue", lambda *args, **kwargs: queued.append(args))
    client = app.test_client()
    login(client, EMAIL)
    page = client.post("/account/data", follow_redirects=True)
    assert "werden zusammengestellt" in text_of(page)
    [(queue, func, export_id)] = queued
    assert (queue, func) == ("default", "lms.privacy.export.run_export")
    export = db.session.get(DataExport, export_id)
    assert export.state == ExportState.PENDING and export.done == 0
    assert "wird zusammengestellt" in text_of(client.get("/account"))

    seen = []
    real_build = build_export

    def watching(export, *, progress=None, now=None):
        def spy(done, total):
            progress(done, total)  # committed: another session sees it at once
            with app.app_context():
                seen.append(db.session.get(DataExport, export_id).done)
        return real_build(export, progress=spy, now=now)

    from lms.privacy import export as export_module

    monkeypatch.setattr(export_module, "build_export", watching)
    with app.app_context():
        run_export(export_id)
    assert seen == list(range(1, len(seen) + 1)) and len(seen) > 3
    db.session.expire_all()
    export = db.session.get(DataExport, export_id)
    assert export.state == ExportState.READY and export.done == export.total == len(seen)
    run_export(export_id)  # a second attempt finds it done: nothing twice
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DataExport)) == 1
