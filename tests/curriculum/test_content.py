"""Loading course content: idempotent, updating, and all-or-nothing on bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.curriculum.content import ContentError, load_course, parse_course
from lms.curriculum.models import Course, CourseAssessment, Module
from lms.extensions import db


@pytest.fixture
def content(tmp_path: Path, course_dir: Path) -> Path:
    target = tmp_path / "social-media-manager"
    shutil.copytree(course_dir, target)
    return target


def snapshot() -> list:
    rows = db.session.execute(
        sa.select(Module.number, Module.title, Module.hours, Module.description,
                  Module.learning_outcomes, Module.updated_at).order_by(Module.number)
    ).all()
    courses = db.session.execute(sa.select(Course.title_neutral, Course.updated_at)).all()
    assessments = db.session.execute(sa.select(CourseAssessment.key, CourseAssessment.title)).all()
    return [tuple(r) for r in rows + courses + assessments]


def test_bundled_course_is_complete(course_dir):
    data = parse_course(course_dir)
    assert data.title_neutral == "Social Media Manager*in"
    assert data.title_female == "Social Media Managerin"
    assert data.title_male == "Social Media Manager"
    assert data.provider == "TH Köln"
    assert data.default_min_attendance_percent == 80
    assert {a.key for a in data.assessments if a.required} == {"hausarbeit", "muendliche-pruefung"}
    assert sum(m.hours for m in data.modules) == data.total_hours
    titles = " ".join(m.title for m in data.modules)
    for topic in ("Strategie", "Content", "Community", "Recht", "Monitoring", "Kampagnen",
                  "Corporate Influencer", "Krisen", "Abschlussprojekt"):
        assert topic in titles
    for module in data.modules:
        assert module.description and module.learning_outcomes and module.topics


def test_loading_twice_changes_nothing(app, content):
    first = load_course(content)
    db.session.commit()
    assert first.created and not first.updated
    before = snapshot()

    second = load_course(content)
    db.session.commit()
    assert not second.changed
    db.session.expire_all()
    assert snapshot() == before


def test_a_changed_module_is_updated(app, content):
    load_course(content)
    db.session.commit()
    path = content / "03-community.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'title = "Community Management"', 'title = "Community Management und Moderation"'),
        encoding="utf-8")

    report = load_course(content)
    db.session.commit()
    assert report.updated == ["module 3 community"]
    assert db.session.scalar(sa.select(Module.title).where(Module.number == 3)) == (
        "Community Management und Moderation")


def _break(content: Path, name: str, old: str, new: str | None) -> None:
    """Replace ``old`` by ``new``; with ``new`` None, cut the file off at ``old``."""
    path = content / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    text = text[: text.index(old)] if new is None else text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def _line_of(content: Path, name: str, needle: str) -> int:
    lines = (content / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


BROKEN = [
    # (file, old, new, needle for the expected line or None, words of the reason)
    ("05-monitoring.md", "hours = 12", "hours = zwölf", "hours =", "not valid TOML"),
    ("05-monitoring.md", "hours = 12\n", "", None, "'hours' is missing"),
    ("05-monitoring.md", "hours = 12", "hours = 0", "hours = 0", "must be more than 0"),
    ("05-monitoring.md", "number = 5", "number = 6", "number = 6", "'number' must be 5"),
    ("05-monitoring.md", "## Lernziele", "## Ziele", "## Ziele", "unknown heading"),
    ("05-monitoring.md", "\n## Inhalte", None, None, "'## Inhalte' is missing"),
    ("05-monitoring.md", "\n- ", "\n* ", "* ", "only '- ' bullet lines"),
    ("05-monitoring.md", "+++\nnumber", "number", None, "must start with a '+++' line"),
    ("course.toml", "total_hours = 120", "total_hours = 130", "total_hours", "add up to 120"),
    ("course.toml", 'female = "Social Media Managerin"\n', "", None, "'female' is missing"),
    ("course.toml", 'kind = "assessment"', 'kind = "exam"', 'kind = "exam"', "must be one of"),
    ("course.toml", "module = 10\ngrading = \"pass_fail\"", "module = 11\ngrading = \"pass_fail\"",
     "module = 11", "no module 11"),
    ("course.toml", "pass_points = 50", "pass_points = 150", "pass_points", "at most 'max_points'"),
    ("course.toml", "[completion]", "[completion", "[completion", "not valid TOML"),
]


@pytest.mark.parametrize(("name", "old", "new", "needle", "reason"), BROKEN)
def test_broken_file_is_refused_with_file_line_and_reason_and_nothing_changes(
    app, content, runner, name, old, new, needle, reason
):
    load_course(content)
    db.session.commit()
    # The good content changes in one place and breaks in another: none of it may land.
    _break(content, "02-content.md", 'title = "Content und Storytelling"',
           'title = "Content, Formate und Storytelling"')
    before = snapshot()
    _break(content, name, old, new)

    with pytest.raises(ContentError) as caught:
        load_course(content)
    db.session.rollback()
    error = caught.value
    assert error.path.name == name
    assert reason in error.reason
    if needle is not None:
        assert error.line == _line_of(content, name, needle)

    result = runner.invoke(args=["content", "load", str(content)])
    assert result.exit_code != 0
    assert name in result.output and reason in result.output
    assert "nothing was changed" in result.output
    db.session.expire_all()
    assert snapshot() == before


def test_file_that_is_not_utf8_is_refused(app, content):
    (content / "04-recht.md").write_bytes(
        (content / "04-recht.md").read_text(encoding="utf-8").encode("latin-1", "replace"))
    with pytest.raises(ContentError, match="not UTF-8"):
        load_course(content)


def test_missing_folder_and_missing_course_file(app, tmp_path):
    with pytest.raises(ContentError, match="is not a folder"):
        load_course(tmp_path / "nothing-here")
    with pytest.raises(ContentError, match="course file is missing"):
        load_course(tmp_path)


def test_cli_load_reports_created_then_unchanged(runner, content):
    first = runner.invoke(args=["content", "load", str(content)])
    assert first.exit_code == 0, first.output
    assert "created: module 10 abschlussprojekt" in first.output
    second = runner.invoke(args=["content", "load", str(content)])
    assert second.exit_code == 0
    assert "unchanged (10 modules)" in second.output
