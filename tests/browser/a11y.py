"""axe-core in the browser: every page a journey visits is checked against WCAG 2.1 A
and AA (what BITV 2.0 asks of German universities), plus one rule of our own: a badge
(status, risk, cancelled) always says in words what its colour shows."""

from __future__ import annotations

from dataclasses import dataclass, field

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

# Badges and other coloured status marks without words: colour would be the only signal.
_SILENT_MARKS = """() => [...document.querySelectorAll('.badge, [class*="cert-verdict"]')]
    .filter(e => !(e.textContent || '').trim() && !e.getAttribute('aria-label'))
    .map(e => e.outerHTML.slice(0, 120))"""

# Ids that a label or an ARIA attribute points to must name one element only: otherwise
# a label (and what a screen reader announces) belongs to the wrong field. axe reports
# these only as "needs review".
_AMBIGUOUS_REFERENCES = """() => {
  const refs = new Set();
  document.querySelectorAll('label[for]').forEach(l => refs.add(l.htmlFor));
  document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls]')
    .forEach(e => ['aria-describedby', 'aria-labelledby', 'aria-controls'].forEach(a =>
      (e.getAttribute(a) || '').split(/\\s+/).filter(Boolean).forEach(id => refs.add(id))));
  return [...refs].filter(id => document.querySelectorAll('#' + CSS.escape(id))
    .length > 1);
}"""


@dataclass
class AxeLog:
    """The violations of every checked page, by the step's name for the page."""

    pages: dict[str, list[dict]] = field(default_factory=dict)
    _axe: object = None

    def check(self, page, name: str) -> list[dict]:
        from axe_playwright_python.sync_playwright import Axe

        if self._axe is None:
            self._axe = Axe()
        results = self._axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        response = results.response
        assert response["passes"], f"{name}: axe checked nothing on {page.url}"
        violations = [dict(v, url=page.url) for v in response["violations"]]
        silent = page.evaluate(_SILENT_MARKS)
        if silent:
            violations.append({"id": "colour-only-badge", "impact": "serious", "url": page.url,
                               "help": "a badge without words", "nodes": [
                                   {"target": [html]} for html in silent]})
        ambiguous = page.evaluate(_AMBIGUOUS_REFERENCES)
        if ambiguous:
            violations.append({"id": "duplicate-referenced-id", "impact": "serious",
                               "url": page.url, "help": "an id that a label points to is "
                               "used more than once", "nodes": [
                                   {"target": [f"#{i}"]} for i in ambiguous]})
        key = name if name not in self.pages else f"{name} ({len(self.pages)})"
        self.pages[key] = violations
        return violations

    def assert_accessible(self, page, name: str) -> None:
        """Check now and fail the step at once on a serious or critical violation."""
        self.check(page, name)
        problems = self.blocking(only=name)
        assert not problems, "\n".join(problems)

    def blocking(self, only: str | None = None) -> list[str]:
        """One line per serious or critical violation, with the elements it concerns."""
        lines = []
        for name, violations in self.pages.items():
            if only is not None and name != only:
                continue
            for v in violations:
                if v.get("impact") in BLOCKING:
                    targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
                    lines.append(f"{name} {v['url']}: {v['impact']} {v['id']} "
                                 f"({v['help']}) at {targets}")
        return lines

    def minor(self) -> list[str]:
        return [f"{name}: {v['impact']} {v['id']}" for name, violations in self.pages.items()
                for v in violations if v.get("impact") not in BLOCKING]
