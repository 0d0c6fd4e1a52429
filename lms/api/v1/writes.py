"""The writes of /api/v1, for university tokens made for writing: participants are
imported with the CSV roster import's operation (everyone or nobody, its rules), meetings
are scheduled with the schedule's. Each commits once; a refusal rolls everything back and
answers 422 with the reasons."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.access import get_api_cohort_or_404, require_api_scope
from lms.accounts.queries import get_user_by_email
from lms.api.auth import current_token
from lms.api.problems import REFUSED, ROSTER_REJECTED, ProblemItem, problem
from lms.api.schemas import (
    CohortPath,
    ImportResult,
    MeetingIn,
    MeetingOut,
    ParticipantImport,
    ParticipantIn,
)
from lms.api.v1 import answers, bp
from lms.api.v1.reads import COHORTS, PARTICIPANTS
from lms.api.v1.wire import answer, meeting_out, status_out
from lms.certificates.standing import Standing
from lms.cohorts.invitations import send_invitation
from lms.cohorts.roster_import import RosterImportError, import_roster
from lms.curriculum.queries import list_modules
from lms.errors import DomainError
from lms.extensions import db
from lms.integrations.operations import record_api_write
from lms.mail import Sending
from lms.schedule.operations import schedule_meeting
from lms.schedule.queries import get_block

WRITE = (403,)
HEADER_LINES = 1  # the CSV built below has one header line above the first participant


def roster_csv(participants: list[ParticipantIn]) -> bytes:
    """The participants as the roster import's CSV, so that its one operation checks them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "first_name", "last_name", "title_form", "language"])
    for p in participants:
        writer.writerow([p.email, p.first_name, p.last_name,
                         p.title_form.value if p.title_form else "",
                         p.language.value if p.language else ""])
    return out.getvalue().encode("utf-8")


@bp.post("/cohorts/<int:cohort_id>/participants", tags=[PARTICIPANTS],
         summary="Invite participants: all of them, or none (the CSV import's rules)",
         responses=answers(ImportResult, status=201, extra=WRITE, read=False))
def import_participants(path: CohortPath, body: ParticipantImport) -> Response:
    token = current_token()
    require_api_scope(token, write=True)
    cohort = get_api_cohort_or_404(token, path.cohort_id)
    try:
        invitations = import_roster(cohort, roster_csv(body.participants), by=token.user)
        record_api_write(token, "participants_imported", cohort, cohort_id=cohort.id,
                         after={"emails": [i.enrollment.user.email for i in invitations]})
        mails = [send_invitation(invitation) for invitation in invitations]
        db.session.commit()
    except RosterImportError as error:
        db.session.rollback()
        items = [ProblemItem(
            location=(f"body.participants.{p.line - HEADER_LINES - 1}" if p.line > HEADER_LINES
                      else "body.participants"),
            code="roster_row", detail=str(p.reason)) for p in error.problems]
        return problem(422, ngettext("Nobody was invited: %(num)s problem.",
                                     "Nobody was invited: %(num)s problems.", len(items)),
                       type_=ROSTER_REJECTED, errors=items)
    except DomainError as error:
        db.session.rollback()
        return problem(422, str(error), type_=REFUSED)
    # Queued mails leave after the answer (a worker retries them); only a mail sent at once
    # (without Redis) and refused is known to have failed.
    failed = [i.enrollment.user.email for i, mail in zip(invitations, mails, strict=True)
              if mail.state == Sending.FAILED]
    return answer(ImportResult(
        invited=len(invitations), mail_failed=failed,
        items=[status_out(i.enrollment, Standing.ON_TRACK) for i in invitations]), 201)


@bp.post("/cohorts/<int:cohort_id>/meetings", tags=[COHORTS], summary="Schedule a meeting",
         responses=answers(MeetingOut, status=201, extra=WRITE, read=False))
def create_meeting(path: CohortPath, body: MeetingIn) -> Response:
    token = current_token()
    require_api_scope(token, write=True)
    cohort = get_api_cohort_or_404(token, path.cohort_id)
    problems: list[ProblemItem] = []
    module = next((m for m in list_modules(cohort.course_id)
                   if m.number == body.module_number), None)
    if module is None:
        problems.append(ProblemItem(location="body.module_number", code="unknown_module",
                                    detail=_("The cohort's course has no module %(number)s.",
                                             number=body.module_number)))
    block = get_block(body.block_id) if body.block_id is not None else None
    if body.block_id is not None and (block is None or block.cohort_id != cohort.id):
        problems.append(ProblemItem(location="body.block_id", code="unknown_block",
                                    detail=_("The cohort has no such block.")))
    lecturers = []
    for index, email in enumerate(body.lecturer_emails):
        user = get_user_by_email(email)
        if user is None:
            problems.append(ProblemItem(location=f"body.lecturer_emails.{index}",
                                        code="unknown_lecturer",
                                        detail=_("Nobody has the address %(email)s.",
                                                 email=email)))
        else:
            lecturers.append(user)
    if problems or module is None:
        return problem(422, _("The meeting was not scheduled."), type_=REFUSED,
                       errors=problems)
    try:
        meeting = schedule_meeting(
            cohort, module, body.starts_at, body.ends_at, block=block,
            location=body.location, online_url=body.online_url, lecturers=lecturers,
            title=body.title, by=token.user)
        record_api_write(token, "meeting_scheduled", meeting, cohort_id=cohort.id,
                         after={"starts_at": meeting.starts_at.isoformat()})
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return problem(422, str(error), type_=REFUSED,
                       errors=[ProblemItem(location="body", code="refused",
                                           detail=str(error))])
    return answer(meeting_out(meeting), 201)
