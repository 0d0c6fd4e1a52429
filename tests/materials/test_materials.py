"""Materials: added by the module's lecturers and the coordinator, released when chosen,
replaced (versions kept) and withdrawn; what participants get, singly and as a streamed
ZIP; one digest mail per release run; reuse in the next cohort; the course's own."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale

from lms.assignments.files import UploadRejected
from lms.db import utcnow
from lms.demo import _tiny_pdf
from lms.extensions import db
from lms.materials.models import CourseMaterial, Material, Release
from lms.materials.operations import (
    MaterialError,
    Placement,
    Upload,
    add_material,
    replace_file,
    withdraw_material,
)
from lms.materials.queries import released_materials, reuse_offer
from tests.helpers import build_world, login, text_of


@pytest.fixture
def world(app, course_dir):
    return build_world(course_dir, participants=3)


def _slides(world, meeting, release=Release.MEETING_END, title="Folien", text="Folien"):
    material = add_material(Placement(world.a.cohort, meeting.module, meeting, release),
                            title, "Zum Nachlesen", by=world.a.lecturer, now=utcnow(),
                            upload=Upload("folien.pdf", _tiny_pdf(text)))
    db.session.commit()
    return material


def _storage_files(app) -> set[str]:
    folder = Path(app.config["LMS_STORAGE_DIR"]) / "materials"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_slides_released_at_the_meetings_end_appear_only_then(app, world):
    ongoing = world.a.ongoing  # started an hour ago, ends in two and a half hours
    material = _slides(world, ongoing)
    now = utcnow()
    assert material.released_at == ongoing.ends_at
    assert released_materials([world.a.cohort.id], now) == []
    assert released_materials([world.a.cohort.id], ongoing.ends_at) == [material]
    client = app.test_client()
    login(client, world.a.participants[0])
    assert client.get(f"/me/materials/{material.id}/download").status_code == 404
    assert "Folien" not in text_of(client.get("/me/materials"))


def test_a_lecturer_uploads_on_the_page_and_the_participant_downloads(app, world):
    recent = world.a.recent  # held three days ago
    client = app.test_client()
    login(client, world.a.lecturer)
    url = f"/teaching/cohorts/{world.a.cohort.id}/modules/{recent.module_id}/materials"
    assert client.get(url).status_code == 200
    response = client.post(url, data={
        "title": "Folien Tag 1", "note": "", "kind": "file", "meeting_id": recent.id,
        "release": "meeting_end",
        "file": (io.BytesIO(_tiny_pdf("Tag 1")), "Folien Tag 1.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "The material has been added." in text_of(response)
    [material] = db.session.scalars(db.select(Material)).all()
    participant = app.test_client()
    login(participant, world.a.participants[0])
    page = text_of(participant.get("/me/materials"))
    assert "Folien Tag 1" in page
    download = participant.get(f"/me/materials/{material.id}/download")
    assert download.status_code == 200 and download.data == _tiny_pdf("Tag 1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "Folien Tag 1" in text_of(participant.get(f"/meetings/{recent.id}"))
    # another cohort's participant and the company contact get nothing
    other = app.test_client()
    login(other, world.b.participants[0])
    assert other.get(f"/me/materials/{material.id}/download").status_code == 404
    assert "Folien Tag 1" not in text_of(other.get("/me/materials"))
    contact = app.test_client()
    login(contact, world.a.contact)
    assert contact.get(f"/me/materials/{material.id}/download").status_code == 403
    assert "Folien Tag 1" not in text_of(contact.get(f"/meetings/{recent.id}"))


def test_a_replaced_file_keeps_its_versions_and_participants_get_the_newest(app, world):
    material = _slides(world, world.a.recent, text="alt")
    replace_file(material, Upload("folien-v2.pdf", _tiny_pdf("neu")), by=world.a.lecturer,
                 now=utcnow())
    db.session.commit()
    assert [v.version for v in material.versions] == [2, 1]
    participant = app.test_client()
    login(participant, world.a.participants[0])
    assert participant.get(f"/me/materials/{material.id}/download").data == _tiny_pdf("neu")
    lecturer = app.test_client()
    login(lecturer, world.a.lecturer)
    old = lecturer.get(f"/teaching/materials/{material.id}/versions/1")
    assert old.status_code == 200 and old.data == _tiny_pdf("alt")


def test_a_withdrawn_material_is_gone_for_participants_and_kept(app, world):
    material = _slides(world, world.a.recent)
    withdraw_material(material, by=world.coordinator, now=utcnow())
    db.session.commit()
    participant = app.test_client()
    login(participant, world.a.participants[0])
    assert participant.get(f"/me/materials/{material.id}/download").status_code == 404
    assert db.session.get(Material, material.id).versions  # kept
    with force_locale("en"), pytest.raises(MaterialError, match="withdrawn already"):
        withdraw_material(material, by=world.coordinator, now=utcnow())


@pytest.mark.parametrize("filename, data, words", [
    ("folien.pdf", b"MZ\x90\x00 not a pdf", "not accepted"),
    ("folien.exe", _tiny_pdf("x"), "not accepted"),
    ("folien.docx", _tiny_pdf("x"), "content is PDF"),
    ("leer.pdf", b"", "empty"),
])
def test_files_pass_the_checks_of_submissions_and_nothing_is_stored_when_refused(
        app, world, filename, data, words):
    before = _storage_files(app)
    with force_locale("en"), pytest.raises(UploadRejected, match=words):
        add_material(Placement(world.a.cohort, world.a.recent.module, None, Release.NOW),
                     "X", by=world.a.lecturer, now=utcnow(), upload=Upload(filename, data))
    db.session.rollback()
    assert _storage_files(app) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Material)) == 0


def test_a_file_over_the_limit_is_refused_on_the_page(app, world):
    app.config["LMS_MAX_UPLOAD_BYTES"] = 1000
    try:
        client = app.test_client()
        login(client, world.a.lecturer)
        url = f"/teaching/cohorts/{world.a.cohort.id}/modules/{world.a.recent.module_id}/materials"
        response = client.post(url, data={
            "title": "Groß", "kind": "file", "meeting_id": 0, "release": "now",
            "file": (io.BytesIO(_tiny_pdf("x" * 2000)), "gross.pdf")},
            content_type="multipart/form-data")
        assert response.status_code == 422
        assert "larger than 1000 bytes" in text_of(response)
    finally:
        app.config["LMS_MAX_UPLOAD_BYTES"] = 25 * 1024 * 1024
    assert db.session.scalar(db.select(db.func.count()).select_from(Material)) == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "example.org",
                                 "https://exa mple.org"])
def test_a_link_must_be_a_web_address(app, world, url):
    with force_locale("en"), pytest.raises(MaterialError, match="complete web address"):
        add_material(Placement(world.a.cohort, world.a.recent.module, None, Release.NOW),
                     "Link", by=world.a.lecturer, now=utcnow(), url=url)
    db.session.rollback()


def test_a_release_needs_what_it_names(app, world):
    module = world.a.recent.module
    with force_locale("en"):
        with pytest.raises(MaterialError, match="Choose a meeting"):
            add_material(Placement(world.a.cohort, module, None, Release.MEETING_END), "X",
                         by=world.a.lecturer, now=utcnow(), url="https://example.org")
        with pytest.raises(MaterialError, match="date of the release"):
            add_material(Placement(world.a.cohort, module, None, Release.DATE), "X",
                         by=world.a.lecturer, now=utcnow(), url="https://example.org")
        with pytest.raises(MaterialError, match="another module or cohort"):
            add_material(Placement(world.a.cohort, module, world.b.recent, Release.NOW), "X",
                         by=world.a.lecturer, now=utcnow(), url="https://example.org")
    db.session.rollback()


def test_the_modules_zip_is_streamed_with_every_released_file(app, world):
    first = _slides(world, world.a.recent, title="Folien Teil 1", text="eins")
    _slides(world, world.a.recent, title="Folien Teil 2", text="zwei")
    replace_file(first, Upload("teil1-neu.pdf", _tiny_pdf("eins neu")), by=world.a.lecturer,
                 now=utcnow())
    later = _slides(world, world.a.ongoing, title="Noch nicht")  # released at its end
    db.session.commit()
    client = app.test_client()
    login(client, world.a.participants[0])
    response = client.get(f"/me/cohorts/{world.a.cohort.id}/modules/"
                          f"{world.a.recent.module_id}/materials.zip")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    contents = {name: archive.read(name) for name in archive.namelist()}
    assert contents == {"01_Folien_Teil_1.pdf": _tiny_pdf("eins neu"),
                        "02_Folien_Teil_2.pdf": _tiny_pdf("zwei")}
    assert later.title not in str(contents)


def test_one_digest_per_participant_for_what_was_released(app, world, runner, smtp_server):
    _slides(world, world.a.recent, title="Folien Teil 1")
    _slides(world, world.a.recent, title="Folien Teil 2")
    _slides(world, world.a.ongoing, title="Noch nicht")
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    digests = [m for m in smtp_server.messages if "materials" in m["Subject"].lower()]
    assert sorted(m["To"] for m in digests) == sorted(p.email for p in world.a.participants)
    body = digests[0].get_body(("plain",)).get_content()
    assert "Folien Teil 1" in body and "Folien Teil 2" in body and "Noch nicht" not in body
    assert digests[0]["Subject"] == "2 new materials for Gruppe A"
    count = len(smtp_server.messages)
    assert runner.invoke(args=["notify"]).exit_code == 0
    assert len(smtp_server.messages) == count  # nothing twice
    _slides(world, world.a.recent, title="Nachtrag")
    assert runner.invoke(args=["notify"]).exit_code == 0
    news = [m for m in smtp_server.messages[count:] if "material" in m["Subject"].lower()]
    assert len(news) == 3 and news[0]["Subject"] == "New material for Gruppe A"


def test_a_lecturer_takes_over_their_materials_in_the_next_cohort(app, world):
    """Cohort B ran the module before; its lecturer now teaches it in cohort A too."""
    a, b = world.a, world.b
    from lms.schedule.operations import update_meeting

    update_meeting(a.recent, lecturers=[a.lecturer, b.lecturer])
    old_file = add_material(Placement(b.cohort, b.recent.module, b.recent, Release.MEETING_END),
                            "Folien", by=b.lecturer, now=utcnow() - timedelta(days=3),
                            upload=Upload("folien.pdf", _tiny_pdf("B")))
    add_material(Placement(b.cohort, b.recent.module, None, Release.NOW), "Checkliste",
                 by=b.lecturer, now=utcnow() - timedelta(days=3), url="https://example.org/c")
    db.session.commit()
    offer = reuse_offer(b.lecturer, a.cohort, a.recent.module)
    assert offer is not None and offer.cohort == b.cohort and len(offer.materials) == 2
    assert reuse_offer(a.lecturer, a.cohort, a.recent.module) is None  # none of their own
    client = app.test_client()
    login(client, b.lecturer)
    url = f"/teaching/cohorts/{a.cohort.id}/modules/{a.recent.module_id}/materials"
    assert "Take over 2 materials" in text_of(client.get(url))
    done = client.post(url + "/reuse", follow_redirects=True)
    assert "2 materials have been taken over" in text_of(done)
    copies = db.session.scalars(db.select(Material).filter_by(cohort_id=a.cohort.id)).all()
    by_title = {c.title: c for c in copies}
    assert by_title["Folien"].reused_from_id == old_file.id
    # the first meeting of the module in B goes with the first of the module in A
    first_in_a = sorted((m for m in a.meetings if m.module_id == a.recent.module_id),
                        key=lambda m: m.starts_at)
    first_in_b = sorted((m for m in b.meetings if m.module_id == b.recent.module_id),
                        key=lambda m: m.starts_at)
    assert by_title["Folien"].meeting == first_in_a[first_in_b.index(b.recent)]
    assert by_title["Folien"].release == Release.MEETING_END
    copy = by_title["Folien"].latest
    assert copy.stored_name != old_file.latest.stored_name and copy.sha256 == \
        old_file.latest.sha256
    assert by_title["Checkliste"].url == "https://example.org/c"
    # once taken over, it is not offered again
    assert reuse_offer(b.lecturer, a.cohort, a.recent.module) is None


def test_only_the_modules_lecturers_and_coordinators_keep_its_materials(app, world):
    material = _slides(world, world.a.recent)
    url = f"/cohorts/{world.a.cohort.id}/modules/{world.a.recent.module_id}/materials"
    other = app.test_client()
    login(other, world.b.lecturer)
    assert other.get("/teaching" + url).status_code == 404
    assert other.post(f"/teaching/materials/{material.id}/withdraw").status_code == 404
    coordinator = app.test_client()
    login(coordinator, world.coordinator)
    assert coordinator.get("/coordination" + url).status_code == 200
    assert db.session.get(Material, material.id).withdrawn_at is None


def test_the_courses_standing_materials_are_loaded_with_it(app, course, course_dir):
    from lms.curriculum.content import load_course

    standing = db.session.scalars(db.select(CourseMaterial).order_by(
        CourseMaterial.position)).all()
    assert [m.key for m in standing] == ["kursleitfaden", "dsgvo", "urhg"]
    assert standing[0].content_type == "application/pdf" and standing[0].stored_name
    assert standing[1].module.number == 4
    again = load_course(course_dir)
    assert not again.changed
    assert {m.stored_name for m in db.session.scalars(db.select(CourseMaterial))} == \
        {m.stored_name for m in standing}


@pytest.mark.parametrize("text, words", [
    ('[[materials]]\nkey = "a"\ntitle = "A"\nfile = "../../etc/passwd"\n', "no file"),
    ('[[materials]]\nkey = "a"\ntitle = "A"\nfile = "course.toml"\n', "not accepted"),
    ('[[materials]]\nkey = "a"\ntitle = "A"\nurl = "javascript:x"\n', "http"),
    ('[[materials]]\nkey = "a"\ntitle = "A"\nurl = "https://x.org"\nmodule = 99\n',
     "no module 99"),
    ('[[materials]]\nkey = "a"\ntitle = "A"\n', "either 'file' or 'url'"),
])
def test_wrong_standing_materials_are_refused_with_their_line(app, course_dir, tmp_path, text,
                                                             words):
    import shutil

    from lms.curriculum.content import ContentError, parse_course

    folder = tmp_path / "course"
    shutil.copytree(course_dir, folder)
    (folder / "materials.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=words):
        parse_course(folder)
