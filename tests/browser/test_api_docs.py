"""The API's docs page (#18): Swagger UI from the wheel, under the site's Content Security
Policy (no inline script), lists the operations of /api/v1/openapi.json, and loads
nothing from another host."""

from __future__ import annotations


def test_the_docs_page_shows_the_operations_from_this_host(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector('.opblock-summary-path[data-path="/api/v1/certificates/{certificate_id}/pdf"]',
                           timeout=30_000)
    assert page.locator(".opblock").count() == 16
    assert hosts == {f"127.0.0.1:{live_server.port}"}
    assert not [p for p in problems if "Content Security Policy" in p], problems
    context.close()
