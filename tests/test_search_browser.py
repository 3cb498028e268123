"""The header's search box in Debian's Chromium (fixtures from tests/test_browser.py)."""

from __future__ import annotations

from test_browser import _screenshot, browser, page  # noqa: F401 - pytest fixtures


def test_search_box_finds_herylovych_and_opens_his_page(page, live_server: str) -> None:  # noqa: F811
    page.goto(live_server + "/id/country/")
    box = page.locator("header.site #site-search")
    box.click()
    box.press_sequentially("Herylovych", delay=20)
    option = page.locator("#site-search-list li[role=option]").first
    option.wait_for()
    assert option.locator(".suggest-label").inner_text() == "Andriy Gerilovich"
    assert option.locator(".suggest-meta").inner_text() == "person · Belarus · also “Gerilovich”"
    assert page.locator("#site-search-list").is_visible()
    _screenshot(page, "search-box-herylovych.png")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/id/person/eeevadax")
    assert page.locator("h1").inner_text() == "Andriy Gerilovich"


def test_search_box_enter_without_choice_opens_the_results_page(page, live_server: str) -> None:  # noqa: F811
    page.goto(live_server + "/id/person/")
    box = page.locator("#site-search")
    box.fill("Zjazjulcik")
    box.press("Enter")
    page.wait_for_url("**/search?q=Zjazjulcik")
    first = page.locator("ol.search-results li").first
    assert first.locator("a").inner_text() == "Maksim Zyazyulchik"
    assert "person" in first.inner_text() and "Belarus" in first.inner_text()


def test_open_in_the_query_ui_puts_the_pages_query_in_the_editor(page, live_server: str) -> None:  # noqa: F811
    page.goto(live_server + "/id/place/samarkand")
    page.click("a.open-query")
    page.wait_for_selector("body[data-yasgui-ready]")
    editor = page.locator(".tabPanel.active .yasqe .CodeMirror")
    editor.wait_for()
    page.wait_for_function("document.querySelector('.tabPanel.active .CodeMirror').CodeMirror"
                           ".getValue().includes('DESCRIBE <https://w3id.org/legiongraph/id/place/samarkand>')")
    assert "#query=" not in page.url
