"""A module's evaluation results: served to the lecturers of the module in that cohort
(``lms.access.get_evaluation_subject_or_404``) and to coordinators, under each one's URLs
(see :mod:`lms.web.shared`). Nothing is shown, printed or exported below the minimum of
answers."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import get_evaluation_subject_or_404
from lms.accounts.models import Role
from lms.db import utcnow
from lms.evaluation.queries import (
    EvaluationStatus,
    Results,
    evaluation_results,
    evaluation_status,
    minimum_answers,
)
from lms.evaluation.report import results_pdf, results_table
from lms.exports import csv_bytes
from lms.web.downloads import export_name, report_download
from lms.web.shared import add_role_rules

PATH = "/cohorts/<int:cohort_id>/modules/<int:module_id>/evaluation"


def register(bp: Blueprint, role: Role) -> None:
    add_role_rules(bp, role, [
        (PATH, "evaluation_results", results, ["GET"]),
        (f"{PATH}.pdf", "evaluation_pdf", download_pdf, ["GET"]),
        (f"{PATH}.csv", "evaluation_csv", download_csv, ["GET"]),
    ])


def _status(cohort_id: int, module_id: int) -> EvaluationStatus:
    cohort, module = get_evaluation_subject_or_404(current_user, cohort_id, module_id)
    status = evaluation_status(cohort, module, utcnow())
    if status is None:
        abort(404)
    return status


def _results(cohort_id: int, module_id: int) -> Results:
    """The results, or 404 while there are too few answers to show any."""
    found = evaluation_results(_status(cohort_id, module_id))
    if found is None:
        abort(404)
    return found


def results(cohort_id: int, module_id: int, role: Role) -> ResponseReturnValue:
    status = _status(cohort_id, module_id)
    return render_template("evaluation/results.html", status=status, role=role,
                           results=evaluation_results(status), minimum=minimum_answers())


def _file_stem(found: Results) -> str:
    return f"evaluation_module_{found.status.module.number}"


def download_pdf(cohort_id: int, module_id: int, role: Role) -> ResponseReturnValue:
    found = _results(cohort_id, module_id)
    name = export_name(_file_stem(found), found.status.cohort.name, "pdf")
    return Response(results_pdf(found), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})


def download_csv(cohort_id: int, module_id: int, role: Role) -> ResponseReturnValue:
    found = _results(cohort_id, module_id)
    return report_download(csv_bytes(results_table(found)),
                           export_name(_file_stem(found), found.status.cohort.name, "csv"))
