"""The privacy notice (Art. 13 GDPR): a deployment's own text, or a default built from the
registry, so that what the notice says and what the code keeps cannot drift apart.

A deployment writes its own notice as Markdown in ``LMS_PRIVACY_NOTICE_DIR``:
``privacy.de.md`` and ``privacy.en.md`` (one is enough; it is shown in both languages
then). Markdown is rendered without raw HTML; links stay links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from lms.privacy.declare import AUDIENCES, Audience, Category, LegalBasis
from lms.privacy.registry import personal_columns
from lms.privacy.retention import RULES, Retention, RetentionRule


@dataclass(frozen=True)
class CategoryFacts:
    category: Category
    purposes: list[str]
    bases: list[LegalBasis]
    retention: list[tuple[RetentionRule, int]]  # each rule with its period in days
    audiences: list[Audience]


def notice_facts(periods: Mapping[str, int]) -> list[CategoryFacts]:
    """What the default notice says, category by category, from the declarations."""
    facts = []
    for category in Category:
        columns = [c for c in personal_columns() if c.category == category]
        if not columns:
            continue
        rules = sorted({c.retention for c in columns}, key=list(Retention).index)
        facts.append(CategoryFacts(
            category=category,
            purposes=sorted({str(c.purpose) for c in columns}),
            bases=sorted({c.basis for c in columns}, key=list(LegalBasis).index),
            retention=[(RULES[r], periods[r.value]) for r in rules],
            audiences=sorted(AUDIENCES[category], key=list(Audience).index),
        ))
    return facts


def custom_notice(folder: str | None, locale: str, other: str) -> Markup | None:
    """The deployment's own notice in ``locale`` (else in ``other``), as HTML."""
    if not folder:
        return None
    for language in (locale, other):
        path = Path(folder) / f"privacy.{language}.md"
        if path.is_file():
            return render_markdown(path.read_text(encoding="utf-8"))
    return None


def render_markdown(text: str) -> Markup:
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # Raw HTML is off: every tag in the result is markdown-it's, every text escaped.
    return Markup(renderer.render(text))  # noqa: S704  # nosec B704


