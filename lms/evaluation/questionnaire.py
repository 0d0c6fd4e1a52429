"""The questionnaire of the module evaluation, as data: ``course_content/<course>/
evaluation.toml`` (optional; a course without it evaluates nothing).

Read and checked with the rest of the course (:func:`lms.curriculum.content.parse_course`),
so that a malformed file is refused with its line and reason before anything is written.
Stored with the course as plain data (:meth:`Questionnaire.as_data`); each evaluation keeps
the questions it was first answered with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import get_locale

FILE_NAME = "evaluation.toml"
KINDS = ("likert", "text")
KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
# A scale of agreement has at least three and at most seven answers.
SCALE_SIZES = range(3, 8)
DEFAULT_OPEN_DAYS = 21
# The longest free-text answer (characters).
TEXT_ANSWER_LIMIT = 2000


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # "likert" | "text"
    label: str  # short, for headings and columns
    label_en: str
    text: str
    text_en: str

    @property
    def is_scale(self) -> bool:
        return self.kind == "likert"

    def label_for(self, locale: str | None = None) -> str:
        return self.label_en if _english(locale) else self.label

    def text_for(self, locale: str | None = None) -> str:
        return self.text_en if _english(locale) else self.text


@dataclass(frozen=True)
class Questionnaire:
    open_days: int
    scale: tuple[str, ...]
    scale_en: tuple[str, ...]
    questions: tuple[Question, ...]

    def scale_for(self, locale: str | None = None) -> tuple[str, ...]:
        return self.scale_en if _english(locale) else self.scale

    @property
    def scale_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.is_scale)

    @property
    def text_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.is_scale)

    def as_data(self) -> dict[str, Any]:
        return {"open_days": self.open_days, "scale": list(self.scale),
                "scale_en": list(self.scale_en),
                "questions": [vars(q).copy() for q in self.questions]}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Questionnaire:
        return cls(open_days=int(data["open_days"]), scale=tuple(data["scale"]),
                   scale_en=tuple(data["scale_en"]),
                   questions=tuple(Question(**q) for q in data["questions"]))


def _english(locale: str | None) -> bool:
    return (locale or str(get_locale() or "de")) == "en"


def parse_questionnaire(directory: Path) -> Questionnaire | None:
    """The course's questionnaire, or None when the course has no ``evaluation.toml``."""
    from lms.curriculum.content import ContentError, _read_text, _Source, _table_line

    path = Path(directory) / FILE_NAME
    if not path.exists():
        return None
    source = _Source(path, _read_text(path))
    data = source.data
    unknown = sorted(set(data) - {"open_days", "scale", "questions"})
    if unknown:
        raise source.error(unknown[0], f"unknown key {unknown[0]!r}")
    open_days = source.get(data, "open_days", int, required=False, default=DEFAULT_OPEN_DAYS)
    if not 1 <= open_days <= 365:
        raise source.error("open_days", "'open_days' must be between 1 and 365")
    scale_table = source.get(data, "scale", dict)
    scale_at = _table_line(source, "scale")
    scales = []
    for key in ("de", "en"):
        values = scale_table.get(key)
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip()
                                                   for v in values):
            raise source.error(key, f"'scale.{key}' must be a list of texts", after=scale_at)
        if len(values) not in SCALE_SIZES:
            raise source.error(key, f"'scale.{key}' must have {SCALE_SIZES.start} to "
                                    f"{SCALE_SIZES.stop - 1} answers", after=scale_at)
        scales.append(tuple(v.strip() for v in values))
    if len(scales[0]) != len(scales[1]):
        raise source.error("en", "'scale.de' and 'scale.en' must have as many answers",
                           after=scale_at)

    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise ContentError(path, None, "holds no [[questions]]")
    headers = [index for index, text in enumerate(source.lines)
               if re.match(r"^\s*\[\[\s*questions\s*\]\]", text)]
    questions: list[Question] = []
    for position, table in enumerate(raw):
        after = headers[position] if position < len(headers) else 0

        def get(key: str, after: int = after, table: dict[str, Any] = table) -> str:
            return str(source.get(table, key, str, after=after))

        key = get("key")
        if not KEY.fullmatch(key):
            raise source.error("key", "'key' may hold only a-z, 0-9, '-' and '_'", after=after)
        if key in {q.key for q in questions}:
            raise ContentError(path, after + 1, f"the question key {key!r} appears twice")
        kind = get("kind")
        if kind not in KINDS:
            raise source.error("kind", f"'kind' must be one of {', '.join(map(repr, KINDS))}",
                               after=after)
        extra = sorted(set(table) - {"key", "kind", "label", "label_en", "text", "text_en"})
        if extra:
            raise source.error(extra[0], f"unknown key {extra[0]!r}", after=after)
        questions.append(Question(key=key, kind=kind, label=get("label"),
                                  label_en=get("label_en"), text=get("text"),
                                  text_en=get("text_en")))
    if not any(q.is_scale for q in questions):
        raise ContentError(path, None, "needs at least one question of kind 'likert'")
    return Questionnaire(open_days=open_days, scale=scales[0], scale_en=scales[1],
                         questions=tuple(questions))
