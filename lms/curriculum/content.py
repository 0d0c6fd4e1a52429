"""Load a course from ``course_content/<course>/`` into the database.

All files are parsed and checked before anything is written, so a malformed or
incomplete file is refused with its name, line and reason and the database stays
as it was. Loading the same content twice changes nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lms.curriculum.models import (
    AssessmentKind,
    Course,
    CourseAssessment,
    GradingScheme,
    Module,
)
from lms.extensions import db

MODULE_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
SECTIONS = {"Beschreibung": "description", "Lernziele": "learning_outcomes", "Inhalte": "topics"}
TOML_LINE = re.compile(r"at line (\d+)")


class ContentError(Exception):
    """A content file is wrong; says which file, which line and why."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class ModuleData:
    number: int
    slug: str
    title: str
    title_en: str
    hours: int
    description: str
    learning_outcomes: list[str]
    topics: list[str]


@dataclass(frozen=True)
class AssessmentData:
    key: str
    title: str
    title_en: str
    kind: AssessmentKind
    grading: GradingScheme
    module_number: int | None
    max_points: Decimal | None
    pass_points: Decimal | None
    required: bool


@dataclass(frozen=True)
class CourseData:
    slug: str
    title_neutral: str
    title_female: str
    title_male: str
    title_en: str
    provider: str
    provider_unit: str
    description: str
    total_hours: int
    credits: Decimal | None
    default_min_attendance_percent: int
    default_excused_counts: bool
    modules: list[ModuleData]
    assessments: list[AssessmentData]
    # The module evaluation's questionnaire as stored (evaluation.toml), or None.
    evaluation: dict[str, Any] | None = None
    # The course's standing materials (materials.toml), checked, with their files' bytes.
    materials: list[Any] = field(default_factory=list)


@dataclass
class LoadReport:
    course: Course
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


# --------------------------------------------------------------------------- parsing


class _Source:
    """A TOML document with enough memory of its text to point at a key's line."""

    def __init__(self, path: Path, text: str, first_line: int = 1) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.first_line = first_line
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = TOML_LINE.search(str(exc))
            line = int(match.group(1)) + first_line - 1 if match else first_line
            raise ContentError(path, line, f"not valid TOML: {exc}") from None

    def line_of(self, key: str, *, after: int = 0) -> int:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for index, text in enumerate(self.lines[after:], start=after):
            if pattern.match(text):
                return index + self.first_line
        return self.first_line

    def error(self, key: str, reason: str, *, after: int = 0) -> ContentError:
        return ContentError(self.path, self.line_of(key, after=after), reason)

    def get(
        self, table: dict[str, Any], key: str, kind: type, *, required: bool = True,
        default: Any = None, after: int = 0,
    ) -> Any:
        if key not in table:
            if required:
                line = self.first_line + after if after else self.first_line
                raise ContentError(self.path, line, f"the key {key!r} is missing")
            return default
        value = table[key]
        # bool is a subclass of int: never accept true/false where a number is meant.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(key, f"{key!r} must be {_kind_name(kind)}", after=after)
        if isinstance(value, str) and kind is str:
            if not value.strip() and required:
                raise self.error(key, f"{key!r} must not be empty", after=after)
            return value.strip()
        return value


def _kind_name(kind: type) -> str:
    return {str: "a text", int: "a whole number", bool: "true or false", dict: "a table"}.get(
        kind, kind.__name__
    )


def parse_course(directory: Path) -> CourseData:
    directory = Path(directory)
    course_file = directory / "course.toml"
    if not directory.is_dir():
        raise ContentError(directory, None, "is not a folder")
    if not course_file.is_file():
        raise ContentError(course_file, None, "the course file is missing")
    source = _Source(course_file, _read_text(course_file))
    data = source.data

    slug = source.get(data, "slug", str)
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
        raise source.error("slug", "'slug' may hold only a-z, 0-9 and single hyphens")
    titles = source.get(data, "title", dict)
    title_at = _table_line(source, "title")
    completion = source.get(data, "completion", dict)
    completion_at = _table_line(source, "completion")
    min_attendance = source.get(completion, "min_attendance_percent", int, after=completion_at)
    if not 0 <= min_attendance <= 100:
        raise source.error(
            "min_attendance_percent", "'min_attendance_percent' must be between 0 and 100"
        )
    total_hours = source.get(data, "total_hours", int)
    if total_hours <= 0:
        raise source.error("total_hours", "'total_hours' must be more than 0")

    modules = _parse_modules(directory)
    module_hours = sum(m.hours for m in modules)
    if module_hours != total_hours:
        raise source.error(
            "total_hours",
            f"'total_hours' is {total_hours} but the modules add up to {module_hours} hours",
        )
    numbers = {m.number for m in modules}
    assessments = _parse_assessments(source, numbers)
    from lms.evaluation.questionnaire import parse_questionnaire

    questionnaire = parse_questionnaire(directory)
    from lms.materials.content import parse_course_materials

    materials = parse_course_materials(directory, numbers)

    return CourseData(
        slug=slug,
        title_neutral=source.get(titles, "neutral", str, after=title_at),
        title_female=source.get(titles, "female", str, after=title_at),
        title_male=source.get(titles, "male", str, after=title_at),
        title_en=source.get(titles, "en", str, after=title_at),
        provider=source.get(data, "provider", str),
        provider_unit=source.get(data, "provider_unit", str, required=False, default=""),
        description=_normalise_prose(
            source.get(data, "description", str, required=False, default="")
        ),
        total_hours=total_hours,
        credits=_credits(source, data),
        default_min_attendance_percent=min_attendance,
        default_excused_counts=source.get(
            completion, "excused_counts", bool, required=False, default=False,
            after=completion_at,
        ),
        modules=modules,
        assessments=assessments,
        evaluation=questionnaire.as_data() if questionnaire is not None else None,
        materials=materials,
    )


def _credits(source: _Source, data: dict[str, Any]) -> Decimal | None:
    """Optional credit points (ECTS), a number above 0 with at most one decimal."""
    if "credits" not in data:
        return None
    value = data["credits"]
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 \
            or value >= 10_000 or Decimal(str(value)) != Decimal(str(value)).quantize(
                Decimal("0.1")):
        raise source.error("credits", "'credits' must be a number above 0 with at most "
                                      "one decimal, e.g. 10 or 7.5")
    return Decimal(str(value)).quantize(Decimal("0.1"))


def _table_line(source: _Source, name: str) -> int:
    pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(name)}\s*\]\]?")
    for index, text in enumerate(source.lines):
        if pattern.match(text):
            return index
    return 0


def _parse_assessments(source: _Source, module_numbers: set[int]) -> list[AssessmentData]:
    raw = source.data.get("assessments", [])
    if not isinstance(raw, list):
        raise source.error("assessments", "'assessments' must be a list of [[assessments]] tables")
    headers = [
        index for index, text in enumerate(source.lines)
        if re.match(r"^\s*\[\[\s*assessments\s*\]\]", text)
    ]
    result: list[AssessmentData] = []
    keys: set[str] = set()
    for position, table in enumerate(raw):
        after = headers[position] if position < len(headers) else 0
        line = after + source.first_line

        def get(key: str, kind: type, after: int = after, table: dict[str, Any] = table,
                **kw: Any) -> Any:
            return source.get(table, key, kind, after=after, **kw)

        key = get("key", str)
        if key in keys:
            raise ContentError(source.path, line, f"the assessment key {key!r} appears twice")
        keys.add(key)
        kind = _choice(source, get("kind", str), AssessmentKind, "kind", after)
        grading = _choice(source, get("grading", str), GradingScheme, "grading", after)
        module_number = get("module", int, required=False)
        if module_number is not None and module_number not in module_numbers:
            raise source.error("module", f"there is no module {module_number}", after=after)
        max_points = pass_points = None
        if grading == GradingScheme.POINTS:
            max_points = Decimal(get("max_points", int))
            pass_points = Decimal(get("pass_points", int))
            if not 0 < pass_points <= max_points:
                raise source.error(
                    "pass_points", "'pass_points' must be more than 0 and at most 'max_points'",
                    after=after,
                )
        result.append(
            AssessmentData(
                key=key,
                title=get("title", str),
                title_en=get("title_en", str),
                kind=kind,
                grading=grading,
                module_number=module_number,
                max_points=max_points,
                pass_points=pass_points,
                required=get("required", bool, required=False, default=True),
            )
        )
    return result


def _choice(source: _Source, value: str, enum_cls: Any, key: str, after: int) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum_cls)
        raise source.error(key, f"{key!r} must be one of {allowed}", after=after) from None


def _parse_modules(directory: Path) -> list[ModuleData]:
    modules: list[ModuleData] = []
    paths: dict[int, Path] = {}
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        match = MODULE_FILE.match(path.name)
        if not match:
            raise ContentError(path, None, "a module file must be named NN-slug.md")
        number = int(match.group(1))
        if number in paths:
            raise ContentError(
                path, None, f"module number {number} is also used by {paths[number].name}"
            )
        paths[number] = path
        modules.append(_parse_module(path, number, match.group(2)))
    if not modules:
        raise ContentError(directory, None, "holds no module files (NN-slug.md)")
    return modules


def _parse_module(path: Path, number: int, slug: str) -> ModuleData:
    lines = _read_text(path).splitlines()
    if not lines or lines[0].strip() != "+++":
        raise ContentError(path, 1, "the file must start with a '+++' line (TOML front matter)")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "+++")
    except StopIteration:
        raise ContentError(path, 1, "the front matter is not closed by a '+++' line") from None
    source = _Source(path, "\n".join(lines[1:end]), first_line=2)
    front = source.data
    if source.get(front, "number", int) != number:
        raise source.error("number", f"'number' must be {number}, as in the file name")
    if source.get(front, "slug", str) != slug:
        raise source.error("slug", f"'slug' must be {slug!r}, as in the file name")
    hours = source.get(front, "hours", int)
    if hours <= 0:
        raise source.error("hours", "'hours' must be more than 0")
    unknown = sorted(set(front) - {"number", "slug", "title", "title_en", "hours"})
    if unknown:
        raise source.error(unknown[0], f"unknown key {unknown[0]!r}")

    sections = _parse_sections(path, lines, end + 1)
    return ModuleData(
        number=number,
        slug=slug,
        title=source.get(front, "title", str),
        title_en=source.get(front, "title_en", str),
        hours=hours,
        description=sections["description"],
        learning_outcomes=sections["learning_outcomes"],
        topics=sections["topics"],
    )


def _parse_sections(path: Path, lines: list[str], start: int) -> dict[str, Any]:
    found: dict[str, tuple[int, list[str]]] = {}
    current: str | None = None
    for index in range(start, len(lines)):
        text = lines[index]
        if text.startswith("#"):
            heading = re.fullmatch(r"##\s+(.+?)\s*", text)
            name = heading.group(1) if heading else None
            if name not in SECTIONS:
                allowed = ", ".join(f"'## {s}'" for s in SECTIONS)
                raise ContentError(path, index + 1, f"unknown heading {text!r}; use {allowed}")
            if name in found:
                raise ContentError(path, index + 1, f"the section {text!r} appears twice")
            current = name
            found[name] = (index + 1, [])
        elif current is None:
            if text.strip():
                raise ContentError(path, index + 1, "text before the first '##' section")
        else:
            found[current][1].append(text)

    result: dict[str, Any] = {}
    for name, attribute in SECTIONS.items():
        if name not in found:
            raise ContentError(path, len(lines), f"the section '## {name}' is missing")
        line, body = found[name]
        if attribute == "description":
            text = _normalise_prose("\n".join(body))
            if not text:
                raise ContentError(path, line, f"the section '## {name}' is empty")
            result[attribute] = text
            continue
        items = []
        for offset, text in enumerate(body, start=1):
            if not text.strip():
                continue
            if not text.startswith("- ") or not text[2:].strip():
                raise ContentError(
                    path, line + offset, f"the section '## {name}' holds only '- ' bullet lines"
                )
            items.append(text[2:].strip())
        if not items:
            raise ContentError(path, line, f"the section '## {name}' has no bullet")
        result[attribute] = items
    return result


def _normalise_prose(text: str) -> str:
    """Join the lines of each paragraph; keep blank lines between paragraphs."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(p for p in paragraphs if p)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ContentError(path, line, "is not UTF-8 text") from None
    except OSError as exc:
        raise ContentError(path, None, f"cannot be read ({exc.strerror})") from None


# --------------------------------------------------------------------------- storing


def load_course(directory: Path | str) -> LoadReport:
    """Create or update the course in ``directory``; flushes, never commits."""
    data = parse_course(Path(directory))
    course = db.session.scalar(sa.select(Course).where(Course.slug == data.slug))
    if course is None:
        course = Course(slug=data.slug, **_course_values(data))
        db.session.add(course)
        report = LoadReport(course=course, created=[f"course {data.slug}"])
    else:
        report = LoadReport(course=course)
        if _assign(course, _course_values(data)):
            report.updated.append(f"course {data.slug}")

    by_number = {m.number: m for m in course.modules}
    wanted = {m.number for m in data.modules}
    for module_data in data.modules:
        values = {k: v for k, v in vars(module_data).items()}
        module = by_number.get(module_data.number)
        if module is None:
            course.modules.append(Module(**values))
            report.created.append(f"module {module_data.number} {module_data.slug}")
        elif _assign(module, values):
            report.updated.append(f"module {module_data.number} {module_data.slug}")
    for number, module in by_number.items():
        if number not in wanted:
            if _module_in_use(module):
                raise ContentError(
                    Path(directory), None,
                    f"module {number} ({module.slug}) has meetings or assignments and cannot be"
                    " removed; keep its file",
                )
            course.modules.remove(module)
            report.removed.append(f"module {number} {module.slug}")
    db.session.flush()

    modules = {m.number: m for m in course.modules}
    by_key = {a.key: a for a in course.assessments}
    for item in data.assessments:
        values = {
            "title": item.title,
            "title_en": item.title_en,
            "kind": item.kind,
            "grading": item.grading,
            "module_id": modules[item.module_number].id if item.module_number else None,
            "max_points": item.max_points,
            "pass_points": item.pass_points,
            "required": item.required,
        }
        assessment = by_key.get(item.key)
        if assessment is None:
            course.assessments.append(CourseAssessment(key=item.key, **values))
            report.created.append(f"assessment {item.key}")
        elif _assign(assessment, values):
            report.updated.append(f"assessment {item.key}")
    for key, assessment in by_key.items():
        if key not in {a.key for a in data.assessments}:
            course.assessments.remove(assessment)
            report.removed.append(f"assessment {key}")
    db.session.flush()
    from lms.materials.content import store_course_materials

    changes = store_course_materials(course.id, {m.number: m.id for m in course.modules},
                                     data.materials)
    report.created.extend(changes.created)
    report.updated.extend(changes.updated)
    report.removed.extend(changes.removed)
    return report


def _module_in_use(module: Module) -> bool:
    from lms.assignments.models import Assignment
    from lms.schedule.models import Meeting

    return any(
        db.session.scalar(sa.select(sa.exists().where(model.module_id == module.id)))
        for model in (Meeting, Assignment)
    )


def _course_values(data: CourseData) -> dict[str, Any]:
    values = {k: v for k, v in vars(data).items()
              if k not in ("modules", "assessments", "slug", "materials")}
    return values


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only what differs, so that an unchanged row is not written at all."""
    changed = False
    for key, value in values.items():
        current = getattr(obj, key)
        if isinstance(current, Decimal) and value is not None:
            value = Decimal(value)
        if current != value:
            setattr(obj, key, value)
            changed = True
    return changed
