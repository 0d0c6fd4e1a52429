"""Navigation as each role sees it, on every page they can open: no entry twice.

Walks the URL map through the access matrix (every GET route a role may open) and reads
each page's navigation (the header and any section navigation): no two entries carry the
same words, and no navigation lists the same address twice.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.helpers import build_matrix_world, login
from tests.security.test_access_matrix import MATRIX, OK, ROLES, _url


@pytest.fixture
def world(app, course_dir):
    return build_matrix_world(course_dir)


class NavLinks(HTMLParser):
    """The links of every <nav> element: [(nav label, [(text, href), ...]), ...]."""

    def __init__(self) -> None:
        super().__init__()
        self.navs: list[tuple[str, list[tuple[str, str]]]] = []
        self._depth = 0
        self._link: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav":
            self._depth += 1
            self.navs.append((a.get("aria-label", ""), []))
        elif tag == "a" and self._depth:
            self._link, self._href = [], a.get("href", "")

    def handle_data(self, data):
        if self._link is not None:
            self._link.append(data)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._depth -= 1
        elif tag == "a" and self._link is not None:
            self.navs[-1][1].append((" ".join("".join(self._link).split()), self._href))
            self._link = None


# Routes that answer with something other than a page (files, feeds, JSON).
NOT_PAGES = ("static", "feeds.feed", "feeds.meeting_ics", "public.healthz", "public.readyz")
NOT_PAGE_WORDS = ("download", "csv", "xlsx", "sheet", "status")


def pages_of(app, role: str, objects: dict) -> list[str]:
    return [_url(app, endpoint, route, objects)
            for endpoint, routes in sorted(MATRIX.items())
            for route in routes
            if route.method == "GET" and route.expected[role] == OK
            and not endpoint.startswith(NOT_PAGES)
            and not any(word in endpoint for word in NOT_PAGE_WORDS)]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_no_navigation_entry_appears_twice(app, world, role, language):
    people, objects = world
    client = app.test_client()
    login(client, people[role])
    client.post("/language", data={"language": language})
    checked = 0
    for url in pages_of(app, role, objects):
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = NavLinks()
        parser.feed(response.get_data(as_text=True))
        links = [link for _label, nav in parser.navs for link in nav]
        assert links, f"{url} as {role}: no navigation"
        twice = [text for text, n in Counter(t for t, _href in links).items() if n > 1]
        assert not twice, f"{url} as {role} ({language}): {twice} appear twice in {parser.navs}"
        for label, nav in parser.navs:
            hrefs = [href for _text, href in nav]
            assert len(hrefs) == len(set(hrefs)), f"{url} as {role}: nav {label!r} {nav}"
        checked += 1
    assert checked >= 3, f"only {checked} pages checked for {role}"
