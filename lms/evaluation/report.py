"""A module's evaluation results as files: CSV (the table the page shows) and a PDF with
the same charts, rendered from templates kept as data (nothing is fetched from outside, so
a free text cannot make the renderer call out)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from lms.db import utcnow
from lms.evaluation.queries import Results
from lms.exports import Table


def results_table(results: Results) -> Table:
    """One row per statement (how often each answer was given, no answer, answers, mean),
    then one row per free text."""
    questionnaire = results.status.questionnaire
    header = [_("Question"), *questionnaire.scale_for(), _("no answer"), _("Answers"),
              _("Mean")]
    table: list[list[str | float | int | None]] = [list(header)]
    for d in results.distributions:
        table.append([d.question.label_for(), *d.counts, d.no_answer, d.answered,
                      round(d.mean, 2) if d.mean is not None else None])
    for question, texts in results.texts:
        table.append([])
        table.append([question.label_for()])
        table.extend([[text] for text in texts])
    return table


def results_pdf(results: Results) -> bytes:
    html = render_template("evaluation/results_pdf.html", results=results, printed_at=utcnow())
    css = render_template("evaluation/results_pdf.css")
    fetcher = URLFetcher(allowed_protocols=["data"])
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher)])
