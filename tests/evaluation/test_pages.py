"""The evaluation as people use it: the participant answers on a page, the lecturer and the
coordinator read the results (and only from five answers on), the coordinator reminds."""

from __future__ import annotations

import io

import pypdfium2

from lms.extensions import db
from tests.evaluation.world import answer, build_evaluation_world
from tests.helpers import login, text_of


def _url(ew, prefix: str = "/me") -> str:
    return f"{prefix}/cohorts/{ew.cohort.id}/modules/{ew.module.id}/evaluation"


def test_a_participant_finds_the_evaluation_on_the_start_page_and_answers_once(
        app, course_dir):
    ew = build_evaluation_world(course_dir)
    client = app.test_client()
    login(client, ew.world.a.participants[0])
    home = text_of(client.get("/me/"))
    assert "Your feedback, please" in home and "Module 3" in home
    page = client.get(_url(ew))
    assert page.status_code == 200
    assert "stored without your name" in text_of(page)
    response = client.post(_url(ew), data={"q_inhalt": "5", "q_dozentin": "4",
                                           "q_praxis": "", "q_kommentar": "Sehr gut"})
    assert response.status_code == 302
    assert ew.status().answered == 1
    assert "Your feedback, please" not in text_of(client.get("/me/"))
    again = client.post(_url(ew), data={"q_inhalt": "1"})
    assert "You have answered this evaluation" in text_of(again)
    assert ew.status().answered == 1


def test_wrong_and_hostile_answers_are_refused_on_their_field_and_nothing_is_stored(
        app, course_dir):
    ew = build_evaluation_world(course_dir)
    client = app.test_client()
    login(client, ew.world.a.participants[0])
    for data, words in (({"q_inhalt": "99"}, "Please choose one of the answers given."),
                        ({"q_inhalt": "vier"}, "Please choose one of the answers given."),
                        ({"q_inhalt": "1" * 400}, "Please choose one of the answers given."),
                        ({"q_kommentar": "x" * 2500}, "2000"),
                        ({"q_inhalt": ""}, "Please answer at least one question.")):
        response = client.post(_url(ew), data=data)
        assert response.status_code == 200
        assert words in text_of(response), data
    assert ew.status().answered == 0


def test_results_need_five_answers_then_show_charts_texts_pdf_and_csv(app, course_dir):
    ew = build_evaluation_world(course_dir)
    a = ew.world.a
    client = app.test_client()
    login(client, a.lecturer)
    hostile = '<script>alert("x")</script>'
    for number, enrollment in enumerate(a.enrollments[:4], start=1):
        answer(ew, enrollment, inhalt=number, kommentar=hostile if number == 1 else "")
    page = client.get(_url(ew, "/teaching"))
    assert page.status_code == 200
    assert "once at least 5 participants have answered" in text_of(page)
    assert "<svg" not in page.get_data(as_text=True)
    assert client.get(_url(ew, "/teaching") + ".pdf").status_code == 404
    assert client.get(_url(ew, "/teaching") + ".csv").status_code == 404

    answer(ew, a.enrollments[4], inhalt=5)
    page = client.get(_url(ew, "/teaching"))
    html = page.get_data(as_text=True)
    assert html.count("<svg") == 4  # one chart per statement
    assert hostile not in html and "&lt;script&gt;" in html
    assert "Mean 3 on the scale from 1 to 5, 5 answers" in text_of(page)

    pdf = client.get(_url(ew, "/teaching") + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    document = pypdfium2.PdfDocument(io.BytesIO(pdf.data))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Evaluation of module 3" in text and "alert" in text
    csv = client.get(_url(ew, "/teaching") + ".csv")
    assert csv.status_code == 200
    rows = csv.data.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Question,strongly disagree,disagree")
    assert rows[1] == "Content,1,1,1,1,1,0,5,3.00"


def test_the_lecturer_lists_the_evaluations_of_the_modules_they_teach(app, course_dir):
    ew = build_evaluation_world(course_dir)
    client = app.test_client()
    login(client, ew.world.a.lecturer)
    listing = text_of(client.get("/teaching/evaluations"))
    assert "3. Community Management" in listing or "3." in listing
    assert "0 of 6 answered" in listing
    other = app.test_client()
    login(other, ew.world.b.lecturer)
    assert "0 of 6" not in text_of(other.get("/teaching/evaluations"))
    assert other.get(_url(ew, "/teaching")).status_code == 404


def test_the_coordinator_sees_response_rates_and_reminds_once(app, course_dir, smtp_server):
    ew = build_evaluation_world(course_dir)
    a = ew.world.a
    answer(ew, a.enrollments[0], inhalt=4)
    client = app.test_client()
    login(client, ew.world.coordinator)
    page = text_of(client.get(f"/coordination/cohorts/{ew.cohort.id}/evaluations"))
    assert "1 of 6 (17 %)" in page
    assert "too few answers" in page
    remind = f"/coordination/cohorts/{ew.cohort.id}/modules/{ew.module.id}/evaluation/remind"
    response = client.post(remind, follow_redirects=True)
    assert "5 participants have been reminded." in text_of(response)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        p.email for p in a.participants[1:])
    assert "reminded on" in text_of(response)
    again = client.post(remind, follow_redirects=True)
    assert "have been reminded of this evaluation already" in text_of(again)
    assert len(smtp_server.messages) == 5


def test_a_company_contact_never_sees_results(app, course_dir):
    ew = build_evaluation_world(course_dir)
    for enrollment in ew.world.a.enrollments[:5]:
        answer(ew, enrollment, inhalt=3)
    client = app.test_client()
    login(client, ew.world.a.contact)
    for prefix in ("/teaching", "/coordination"):
        for suffix in ("", ".pdf", ".csv"):
            assert client.get(_url(ew, prefix) + suffix).status_code == 403
    assert client.get(_url(ew)).status_code == 403
    assert "Evaluation" not in text_of(client.get("/company/"))
    db.session.rollback()
