"""The module evaluation: when it opens, answering once, the minimum before results, the
one reminder, the invitation by ``lms notify``, and the questionnaire as data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from lms.config import ConfigError
from lms.db import utcnow
from lms.evaluation.models import EvaluationWindow
from lms.evaluation.operations import EvaluationError, claim_reminder, submit_response
from lms.evaluation.queries import evaluation_results, evaluation_status
from lms.extensions import db
from tests.evaluation.world import answer, build_evaluation_world


def test_the_window_opens_after_the_modules_last_meeting(app, course_dir):
    ew = build_evaluation_world(course_dir)
    ends = ew.last_meeting.ends_at
    assert ew.status(ends - timedelta(minutes=1)).window == EvaluationWindow.UPCOMING
    assert ew.status(ends).window == EvaluationWindow.OPEN
    assert ew.status(ends + timedelta(days=21)).window == EvaluationWindow.CLOSED
    # a module still being taught (its meeting started an hour ago) is not open yet
    ongoing = ew.world.a.ongoing
    assert evaluation_status(ew.cohort, ongoing.module, utcnow()).window == \
        EvaluationWindow.UPCOMING


def test_a_cancelled_last_meeting_does_not_keep_the_evaluation_closed(app, course_dir):
    from lms.schedule.operations import cancel_meeting

    ew = build_evaluation_world(course_dir)
    later = ew.world.a.tomorrow  # module 2
    status = evaluation_status(ew.cohort, later.module, utcnow())
    assert status.window == EvaluationWindow.UPCOMING
    cancel_meeting(later, "Krank")
    db.session.commit()
    assert evaluation_status(ew.cohort, later.module, utcnow()) is None  # nothing held


def test_a_participant_answers_once(app, course_dir):
    ew = build_evaluation_world(course_dir)
    enrollment = ew.world.a.enrollments[0]
    answer(ew, enrollment, inhalt=5, praxis=4, kommentar="  Danke!  ")
    with force_locale("en"), pytest.raises(EvaluationError, match="already"):
        submit_response(ew.status(), enrollment, {"inhalt": 1})
    db.session.rollback()
    assert ew.status().answered == 1


@pytest.mark.parametrize("given, words", [
    ({"inhalt": 6}, "one of the answers"),
    ({"inhalt": 0}, "one of the answers"),
    ({"inhalt": True}, "one of the answers"),
    ({"kommentar": "x" * 2001}, "at most 2000"),
    ({}, "at least one"),
    ({"inhalt": None, "kommentar": "   "}, "at least one"),
])
def test_answers_outside_the_questionnaire_are_refused(app, course_dir, given, words):
    ew = build_evaluation_world(course_dir)
    with force_locale("en"), pytest.raises(EvaluationError, match=words):
        submit_response(ew.status(), ew.world.a.enrollments[0], given)
    db.session.rollback()
    assert ew.status().answered == 0


def test_only_the_cohorts_participants_answer_and_only_while_open(app, course_dir):
    ew = build_evaluation_world(course_dir)
    other = ew.world.b.enrollments[0]
    with force_locale("en"), pytest.raises(EvaluationError, match="cohort's participants"):
        submit_response(ew.status(), other, {"inhalt": 3})
    db.session.rollback()
    closed = ew.status(ew.last_meeting.ends_at + timedelta(days=30))
    with force_locale("en"), pytest.raises(EvaluationError, match="not open"):
        submit_response(closed, ew.world.a.enrollments[0], {"inhalt": 3})
    db.session.rollback()


def test_results_need_five_answers_four_do_not_suffice(app, course_dir):
    ew = build_evaluation_world(course_dir, participants=5)
    for number, enrollment in enumerate(ew.world.a.enrollments[:4], start=1):
        answer(ew, enrollment, inhalt=number, kommentar=f"Text {number}")
    assert ew.status().answered == 4
    assert evaluation_results(ew.status()) is None
    answer(ew, ew.world.a.enrollments[4], inhalt=4, dozentin=5)
    results = evaluation_results(ew.status())
    assert results is not None and results.responses == 5
    content = next(d for d in results.distributions if d.question.key == "inhalt")
    assert content.counts == (1, 1, 1, 2, 0)
    assert content.mean == pytest.approx(14 / 5)
    lecturer = next(d for d in results.distributions if d.question.key == "dozentin")
    assert lecturer.counts == (0, 0, 0, 0, 1) and lecturer.no_answer == 4
    [(question, texts)] = results.texts
    assert question.key == "kommentar"
    assert texts == ("Text 1", "Text 2", "Text 3", "Text 4")  # sorted, never as given


def test_the_minimum_is_configurable_but_never_below_three(app, tmp_path):
    from lms import create_app

    made = create_app({"LMS_INSTANCE_PATH": str(tmp_path), "LMS_EVALUATION_MIN_ANSWERS": "7"})
    assert made.config["LMS_EVALUATION_MIN_ANSWERS"] == 7
    for wrong in ("2", "0", "-5", "drei", ""):
        with pytest.raises(ConfigError, match=r"LMS_EVALUATION_MIN_ANSWERS.*at least 3"):
            create_app({"LMS_INSTANCE_PATH": str(tmp_path), "LMS_EVALUATION_MIN_ANSWERS": wrong})


def test_a_higher_minimum_holds_results_back(app, course_dir):
    ew = build_evaluation_world(course_dir, participants=5)
    for enrollment in ew.world.a.enrollments:
        answer(ew, enrollment, inhalt=3)
    app.config["LMS_EVALUATION_MIN_ANSWERS"] = 6
    try:
        assert evaluation_results(ew.status()) is None
    finally:
        app.config["LMS_EVALUATION_MIN_ANSWERS"] = 5


def test_the_reminder_goes_once_to_those_who_have_not_answered(app, course_dir, smtp_server):
    from lms.accounts.models import Locale
    from lms.evaluation.notices import send_reminders
    from lms.mail import Tally, tally

    ew = build_evaluation_world(course_dir, participants=3)
    a = ew.world.a
    a.participants[1].locale = Locale.DE
    answer(ew, a.enrollments[0], inhalt=4)
    recipients = claim_reminder(ew.status(), by=ew.world.coordinator, now=utcnow())
    mails = send_reminders(ew.status(), recipients)
    assert smtp_server.messages == []  # (not before the commit)
    db.session.commit()
    assert recipients == [a.participants[1], a.participants[2]]
    assert tally(mails) == Tally(queued=0, sent=2, failed=0)
    by_address = {m["To"]: m for m in smtp_server.messages}
    assert set(by_address) == {a.participants[1].email, a.participants[2].email}
    german = by_address[a.participants[1].email]
    english = by_address[a.participants[2].email]
    assert german["Subject"].startswith("Erinnerung: Ihre Rückmeldung zu Modul 3")
    assert english["Subject"].startswith("Reminder: your feedback on module 3")
    body = english.get_body(("plain",)).get_content()
    assert f"/me/cohorts/{ew.cohort.id}/modules/{ew.module.id}/evaluation" in body
    assert "anonymous" in body
    with force_locale("en"), pytest.raises(EvaluationError, match="already"):
        claim_reminder(ew.status(), by=ew.world.coordinator, now=utcnow())
    db.session.rollback()
    assert ew.status().reminded_at is not None


def test_notify_invites_each_participant_once_when_the_evaluation_opens(app, course_dir,
                                                                       runner):
    from lms.mail import outbox_dir

    ew = build_evaluation_world(course_dir, participants=2)
    answer(ew, ew.world.a.enrollments[0], inhalt=5)
    before = set(outbox_dir().glob("*.eml")) if outbox_dir().exists() else set()
    first = runner.invoke(args=["notify"])
    assert first.exit_code == 0, first.output
    mails = [p.read_text(encoding="utf-8") for p in set(outbox_dir().glob("*.eml")) - before]
    invitations = [m for m in mails if "evaluation" in m.lower() and "module 3" in m]
    # the one who answered is not asked; the other is, once
    assert len(invitations) == 1
    assert ew.world.a.participants[1].email in invitations[0]
    again = runner.invoke(args=["notify"])
    assert again.exit_code == 0
    later = [p.read_text(encoding="utf-8") for p in set(outbox_dir().glob("*.eml")) - before]
    assert len([m for m in later if "module 3" in m and "evaluation" in m.lower()]) == 1


def test_the_questionnaire_is_loaded_with_the_course(app, course):
    from lms.evaluation.questionnaire import Questionnaire

    questionnaire = Questionnaire.from_data(course.evaluation)
    assert [q.key for q in questionnaire.scale_questions] == [
        "inhalt", "dozentin", "praxis", "organisation"]
    assert [q.key for q in questionnaire.text_questions] == ["kommentar"]
    assert len(questionnaire.scale) == 5 and questionnaire.open_days == 21


@pytest.mark.parametrize("change, words", [
    (("kind = \"likert\"\nlabel = \"Inhalte\"", "kind = \"stars\"\nlabel = \"Inhalte\""),
     "'kind' must be one of"),
    (("open_days = 21", "open_days = 0"), "between 1 and 365"),
    (('en = ["strongly disagree", ', 'en = ['), "as many answers"),
    (('key = "praxis"', 'key = "inhalt"'), "appears twice"),
    (('label_en = "Content"\n', ''), "'label_en' is missing"),
])
def test_a_wrong_questionnaire_is_refused_with_its_line(app, course_dir, tmp_path, change,
                                                        words):
    import shutil

    from lms.curriculum.content import ContentError, parse_course

    folder = tmp_path / "course"
    shutil.copytree(course_dir, folder)
    path = folder / "evaluation.toml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(ContentError, match=words) as raised:
        parse_course(folder)
    assert raised.value.path == path


def test_an_evaluation_keeps_the_questions_it_was_answered_with(app, course_dir):
    from lms.curriculum.models import Course

    ew = build_evaluation_world(course_dir)
    answer(ew, ew.world.a.enrollments[0], inhalt=4)
    course = db.session.get(Course, ew.cohort.course_id)
    changed = dict(course.evaluation)
    changed["questions"] = changed["questions"][:1]
    course.evaluation = changed
    db.session.commit()
    assert len(ew.status().questionnaire.questions) == 5
