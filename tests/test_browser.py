"""The UI in a real browser: Debian's Chromium, headless, driven by Playwright, fully offline.

Screenshots are saved under tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = ("data", "blob", "about")
TIMEOUT_MS = 30_000


def _need_chromium() -> None:
    """Fail in CI and skip elsewhere when Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    message = (f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium); "
               ".ci/run does this before `make test`")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server: str) -> Iterator:
    """A fresh page that records every request; the test fails if one leaves the loopback server."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    server = urlsplit(live_server).netloc
    outside = [url for url in requests
               if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != server]
    assert not outside, f"requests left {server}: {outside}"
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in requests
               if urlsplit(url).scheme not in LOCAL_SCHEMES)
    assert not errors, f"JavaScript errors on the page: {errors}"


def _screenshot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_example_query_shows_a_results_table(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-yasgui-ready]")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click('.example[data-query="pow-by-country"]')
    row = page.locator(".tabPanel.active .yasr table tbody tr", has_text="Tajikistan")
    row.first.wait_for()
    assert re.search(r"\b12\b", row.first.inner_text())
    assert page.locator(".tabPanel.active .yasr table tbody tr").count() == 26
    assert "Foreign prisoners" in page.locator(".tabsList .tab.active").inner_text()
    _screenshot(page, "ui-results.png")

    page.click(".tabPanel.active .yasr .select_chart")
    page.wait_for_selector(".tabPanel.active .yasr .lg-bar-chart")
    assert page.locator(".tabPanel.active .yasr .lg-bar-chart .bar").count() == 26
    _screenshot(page, "ui-chart.png")


def test_editor_runs_a_typed_query(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-yasgui-ready]")
    query = "SELECT (COUNT(*) AS ?countries) WHERE { ?c a schema:Country }"
    page.evaluate("q => { const t = window.legiongraphYasgui.getTab(); "
                  "t.setQuery(t.getQuery().replace(/SELECT[\\s\\S]*$/, q)); }", query)
    from playwright.sync_api import expect

    page.click(".tabPanel.active .yasqe_queryButton")
    first = page.locator(".tabPanel.active .yasr table tbody tr").first
    # The table of the query run on load stays until the new answer arrives: wait for that answer
    # (249 countries) rather than for any number, and give a loaded machine time.
    expect(first).to_contain_text(re.compile(r"\b249\b"), timeout=30_000)
    assert page.locator(".tabPanel.active .yasr table tbody tr").count() == 1


def test_result_links_open_the_local_pages(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("#yasgui[data-lg-labelled]")
    link = page.locator('.tabPanel.active .yasr table tbody a.iri[title*="/id/event/"]').first
    link.wait_for()
    link.click()
    page.wait_for_url(re.compile(re.escape(live_server) + r"/id/event/[^/]+$"))


def test_result_links_read_as_labels_with_the_iri_on_hover_and_copy(page, live_server: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server + "/#pow-by-country")
    row = page.locator(".tabPanel.active .yasr table tbody tr", has_text="Tajikistan").first
    row.wait_for()
    link = row.locator("a.iri")
    page.wait_for_selector(".tabPanel.active .yasr table tbody a.iri.lg-labelled")
    assert link.inner_text() == "Tajikistan"
    assert link.get_attribute("title") == "https://w3id.org/legiongraph/id/country/TJ"
    assert "lgid:country/" not in page.locator(".tabPanel.active .yasr table tbody").inner_text()
    row.locator("button.lg-copy-iri").click()
    page.wait_for_selector(".tabPanel.active button.lg-copy-iri[data-copied]")
    assert page.evaluate("navigator.clipboard.readText()") == "https://w3id.org/legiongraph/id/country/TJ"


def test_a_label_column_beside_its_labelled_links_is_not_shown_twice(page, live_server: str) -> None:
    page.goto(live_server + "/#pow-by-country")
    page.wait_for_selector(".tabPanel.active .yasr table tbody a.iri.lg-labelled")
    page.wait_for_selector(".tabPanel.active .yasr table th.lg-dup-label", state="attached")
    headers = page.locator(".tabPanel.active .yasr table thead th:visible").all_inner_texts()
    assert [h.strip() for h in headers if h.strip()] == ["country", "prisoners"]
    row = page.locator(".tabPanel.active .yasr table tbody tr", has_text="Tajikistan").first
    assert row.inner_text().count("Tajikistan") == 1


def test_only_http_iris_in_results_become_links(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-yasgui-ready]")
    query = ("SELECT ?x WHERE { VALUES ?x { <urn:isbn:0451450523> <javascript:alert(1)> "
             "<https://example.org/a> } }")
    page.evaluate("q => { const t = window.legiongraphYasgui.getTab(); t.setQuery(q); t.query(); }", query)
    page.locator(".tabPanel.active .yasr table tbody tr", has_text="example.org").first.wait_for()
    page.wait_for_selector('.tabPanel.active .yasr a.iri[data-lg-iri="https://example.org/a"]',
                           state="attached")
    body = page.locator(".tabPanel.active .yasr table tbody")
    hrefs = body.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs == ["https://example.org/a"], body.inner_html()
    assert "urn:isbn:0451450523" in body.inner_text()
    assert "javascript:alert(1)" in body.inner_text()


def test_table_never_cuts_dates_or_headers(page, live_server: str) -> None:
    page.goto(live_server + "/#statements-by-certainty")
    page.locator(".tabPanel.active .yasr table tbody tr").first.wait_for()
    page.wait_for_selector("#yasgui[data-lg-labelled]")
    # The default tab's events carry dates: look at both tabs' tables, with Ellipse on and off.
    for tab_index in range(page.locator(".tabsList .tab").count()):
        page.locator(".tabsList .tab").nth(tab_index).click()
        page.locator(".tabPanel.active .yasr table tbody tr").first.wait_for()
        for ellipse in (False, True):
            toggle = page.locator(".tabPanel.active .yasr .switch", has_text="Ellipse").locator("input")
            if toggle.count() and toggle.is_checked() != ellipse:
                toggle.click()
            cut = page.evaluate("""() => [...document.querySelectorAll(
                '.tabPanel.active .yasr table th, .tabPanel.active .yasr table td div.lg-nocut')]
                .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow === 'hidden')
                .map(e => e.textContent)""")
            assert cut == [], f"cut short with Ellipse {'on' if ellipse else 'off'}: {cut}"
    dates = page.locator(".tabsList .tab").first
    dates.click()
    assert page.locator(".tabPanel.active .yasr td div.lg-nocut").count() > 0


def test_charts_draw_the_prisoner_table_and_the_timeline(page, live_server: str) -> None:
    page.goto(live_server + "/charts")
    page.wait_for_selector("body[data-charts-ready]")
    assert page.locator("[data-chart-error]").count() == 0, page.inner_text("main")
    assert page.locator("#pow-chart svg .bar").count() == 26
    assert page.locator("#pow-chart svg .bar", has_text="Tajikistan").count() == 1
    assert page.locator("#timeline-chart svg .tl-item").count() >= 20
    _screenshot(page, "charts.png")

    page.locator("#timeline-chart svg a.tl-item").first.click()
    page.wait_for_url(re.compile(r"/id/event/[^/]+$"))


def _person_iri(store, name: str) -> str:
    result = store.query(
        f'SELECT ?p WHERE {{ ?p a <https://schema.org/Person> ; <https://schema.org/name> "{name}"@en }}')
    iris = {str(row[0]) for row in result.rows}
    assert len(iris) == 1, iris
    return iris.pop()


def test_person_page_shows_provenance(page, live_server: str, oxigraph_store) -> None:
    iri = _person_iri(oxigraph_store, "Maksim Zyazyulchik")
    assert iri.startswith("https://w3id.org/legiongraph/id/person/")
    page.goto(live_server + iri.removeprefix("https://w3id.org/legiongraph"))
    text = page.inner_text("body")
    assert "Zyazyulchik" in text
    assert "Redut" in text
    assert re.search(r"\b(reported|confirmed|alleged)\b", text, re.I)
    _screenshot(page, "person-page.png")


def test_map_shades_the_26_countries_of_the_prisoner_table(page, live_server: str) -> None:
    page.goto(live_server + "/map")
    page.wait_for_selector("body[data-map-ready]")
    assert page.locator("[data-map-error]").count() == 0, page.inner_text("main")
    shaded = page.locator("#map svg path.country.has-data")
    assert shaded.count() == 26
    # Tajikistan (ISO 762, 12 prisoners) is among the darkest; a country with one prisoner is the lightest.
    fills = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#map path.country.has-data')].map(p => [p.dataset.iso, [Number(p.dataset.value),
        getComputedStyle(p).fill]]))""")
    assert fills["762"][0] == 12
    darkness = {iso: sum(int(c) for c in re.findall(r"\d+", fill)[:3]) for iso, (_, fill) in fills.items()}
    by_value = sorted(fills, key=lambda iso: fills[iso][0])
    assert all(darkness[a] >= darkness[b] for a, b in itertools.pairwise(by_value))
    assert darkness[by_value[0]] > darkness[by_value[-1]]
    # Countries outside the table are drawn, unshaded (Ukraine among them).
    assert page.locator('#map path.country[data-iso="804"]:not(.has-data)').count() == 1
    assert page.locator("#map svg path.country").count() > 150
    link = page.locator('#map a.country-link:has(path[data-iso="762"])')
    assert link.get_attribute("href").endswith("/id/country/TJ")
    assert link.locator("title").text_content() == "Tajikistan: 12 prisoners of war"
    # The cities the gazetteer located are points linking to their pages; regions are listed without.
    points = page.locator("#map svg a.point-link")
    assert points.count() == 8
    assert "/id/place/bakhmut" in points.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    places = page.inner_text("#map-places")
    assert "Places with coordinates (8)" in places
    assert "Bakhmut · 48.594, 37.999 · GeoNames gazetteer" in places
    assert "Donetsk Oblast" in places.split("Places without coordinates")[1]
    _screenshot(page, "map.png")


def test_chart_of_events_per_year_has_years_on_its_axis(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-yasgui-ready]")
    page.click('.example[data-query="events-per-year"]')
    page.locator(".tabPanel.active .yasr table tbody tr", has_text="2024").first.wait_for()
    page.click(".tabPanel.active .yasr .select_chart")
    chart = page.locator(".tabPanel.active .yasr .lg-column-chart")
    chart.wait_for()
    controls = page.locator(".tabPanel.active .yasr .chart-controls select")
    assert controls.nth(0).input_value() == "year"
    assert controls.nth(1).input_value() == "events"
    ticks = chart.locator(".x-axis .year-tick").all_text_contents()
    assert ticks == ["2022", "2023", "2024", "2025"]
    assert "row 1" not in chart.text_content()
    # One column per dated year, as tall as its count of events; the undated row is named, not drawn.
    labels = chart.locator(".bar").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert sorted(labels) == ["2022: 6 events", "2023: 3 events", "2024: 14 events", "2025: 10 events"]
    assert "(no year): 24" in page.locator(".tabPanel.active .yasr .chart-omitted").inner_text()
    _screenshot(page, "ui-events-per-year.png")

    controls.nth(1).select_option("captures")
    assert "2024: 4 captures" in chart.locator(".bar").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))")
    controls.nth(2).select_option("line")
    assert page.locator(".tabPanel.active .yasr .lg-column-chart path.line").count() == 1
    controls.nth(2).select_option("bar")
    bars = page.locator(".tabPanel.active .yasr .lg-bar-chart .bar-label").all_text_contents()
    assert bars[:2] == ["(no year)", "2022"]


def test_yasr_map_plugin_draws_a_result_with_wkt_points(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-yasgui-ready]")
    query = ('SELECT ?place ?name ?wkt WHERE { VALUES (?place ?name ?wkt) { '
             '(<https://w3id.org/legiongraph/id/place/kyiv> "Kyiv" '
             '"Point(30.52 50.45)"^^<http://www.opengis.net/ont/geosparql#wktLiteral>) '
             '(<https://w3id.org/legiongraph/id/place/moscow> "Moscow" "Point(37.62 55.75)") } }')
    page.evaluate("q => { const t = window.legiongraphYasgui.getTab(); t.setQuery(q); t.query(); }", query)
    page.locator(".tabPanel.active .yasr table tbody tr", has_text="Moscow").first.wait_for()
    page.click(".tabPanel.active .yasr .select_map")
    points = page.locator(".tabPanel.active .yasr .lg-map a.point-link")
    points.first.wait_for()
    assert points.count() == 2
    hrefs = sorted(points.evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    assert hrefs == ["/id/place/kyiv", "/id/place/moscow"]
    assert page.locator(".tabPanel.active .yasr .lg-map path.country").count() > 150


def _active_tab_names(page) -> list[str]:
    return page.locator(".tabsList .tab").all_inner_texts()


def test_opening_an_example_puts_it_in_the_address_and_reuses_its_tab(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-yasgui-ready]")
    page.click('.example[data-query="pow-by-country"]')
    page.locator(".tabPanel.active .yasr table tbody tr", has_text="Tajikistan").first.wait_for()
    assert page.url == live_server + "/#pow-by-country"
    tabs = page.locator(".tabsList .tab").count()
    page.click('.example[data-query="events-per-year"]')
    page.locator(".tabPanel.active .yasr table tbody tr", has_text="2024").first.wait_for()
    assert page.url.endswith("/#events-per-year")
    page.click('.example[data-query="pow-by-country"]')  # the open tab again, not a third one
    assert page.locator(".tabsList .tab").count() == tabs + 1
    assert "Foreign prisoners" in page.locator(".tabsList .tab.active").inner_text()
    assert page.url.endswith("/#pow-by-country")

    # Tabs survive a reload, and the address still names the example on show.
    page.reload()
    page.wait_for_selector("body[data-yasgui-ready]")
    page.locator(".tabPanel.active .yasr table tbody tr", has_text="Tajikistan").first.wait_for()
    assert page.locator(".tabsList .tab").count() == tabs + 1
    assert "Dated events per year" in " ".join(_active_tab_names(page))


def test_a_shared_example_address_opens_that_example(browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        tab.goto(live_server + "/#north-korean-prisoners")
        tab.wait_for_selector("body[data-yasgui-ready]")
        tab.locator(".tabPanel.active .yasr table tbody tr").first.wait_for()
        assert "North Korean" in tab.locator(".tabsList .tab.active").inner_text()
        assert tab.url.endswith("/#north-korean-prisoners")
        current = tab.locator('.example[aria-current="true"]')
        assert current.get_attribute("data-query") == "north-korean-prisoners"
    finally:
        context.close()


def test_examples_are_grouped_by_topic_headline_first(page, live_server: str) -> None:
    page.goto(live_server + "/")
    headings = page.locator(".example-group h3").all_inner_texts()
    assert [h.lower() for h in headings] == ["prisoners", "persons and units", "events",
                                             "statistics and disagreements", "sources and claims",
                                             "linking"]
    first = page.locator('.example-group[data-group="prisoners"] .example').first
    assert first.get_attribute("data-query") == "pow-by-country"
    assert page.locator(".example-group .example").count() == 45


def test_run_and_share_buttons_leave_the_editor_text_clear(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-yasgui-ready]")
    page.click('.example[data-query="events-per-year"]')  # a long first comment line
    page.locator(".tabPanel.active .yasr table tbody tr").first.wait_for()
    overlaps = page.evaluate("""() => {
        const panel = document.querySelector('.tabPanel.active');
        const buttons = panel.querySelector('.yasqe_buttons').getBoundingClientRect();
        const hits = [];
        panel.querySelectorAll('.CodeMirror-line').forEach(line => {
            const range = document.createRange();
            range.selectNodeContents(line);
            for (const r of range.getClientRects()) {
                if (r.width && r.left < buttons.right && r.right > buttons.left &&
                    r.top < buttons.bottom && r.bottom > buttons.top) hits.push(line.textContent);
            }
        });
        return hits;
    }""")
    assert overlaps == []


@pytest.mark.parametrize("width", [820, 390])
def test_narrow_windows_show_the_editor_before_the_examples(browser, live_server: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        tab.goto(live_server + "/")
        tab.wait_for_selector("body[data-yasgui-ready]")
        editor = tab.locator("section.editor").bounding_box()
        examples = tab.locator("aside.examples").bounding_box()
        assert editor["y"] + editor["height"] <= examples["y"] + 1
        _screenshot(tab, f"ui-{width}px.png")
    finally:
        context.close()


@pytest.mark.parametrize("width", [820, 390])
def test_person_page_keeps_source_claimant_and_certainty_in_view_when_narrow(
        browser, live_server: str, oxigraph_store, width: int) -> None:
    iri = _person_iri(oxigraph_store, "Maksim Zyazyulchik")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        tab.goto(live_server + iri.removeprefix("https://w3id.org/legiongraph"))
        rows = tab.locator(".ld-statements .ld-table tbody tr")
        assert rows.count() > 0
        for column, name in ((7, "Source"), (8, "Claimed by"), (9, "Certainty")):
            cell = rows.first.locator(f"td:nth-child({column})")
            box = cell.bounding_box()
            assert box is not None and box["width"] > 0, name
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (name, box)
            label = cell.evaluate("e => getComputedStyle(e, '::before').content")
            assert label == f'"{name}"'
        certainty = rows.first.locator("td:nth-child(9)").inner_text()
        assert re.search(r"\b(reported|confirmed|alleged)\b", certainty)
        wrap = tab.locator(".ld-statements .table-wrap")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        _screenshot(tab, f"person-page-{width}px.png")
    finally:
        context.close()


def test_a_date_category_draws_a_time_axis(page, live_server: str) -> None:
    page.goto(live_server + "/#figure-over-time")
    page.locator(".tabPanel.active .yasr table tbody tr").first.wait_for()
    page.click(".tabPanel.active .yasr .select_chart")
    chart = page.locator(".tabPanel.active .yasr .lg-column-chart")
    chart.wait_for()
    controls = page.locator(".tabPanel.active .yasr .chart-controls select")
    assert controls.nth(0).input_value() == "asOf"
    assert controls.nth(1).input_value() == "value"
    years = [int(y) for y in chart.locator(".x-axis .year-tick").all_text_contents()]
    assert years and years == list(range(years[0], years[-1] + 1))
    # Each value sits inside its date's year on the axis.
    inside = chart.evaluate("""svg => {
        const ticks = [...svg.querySelectorAll('.x-axis .year-tick')];
        return [...svg.querySelectorAll('.bar')].every(bar => {
            const year = bar.getAttribute('aria-label').slice(0, 4);
            const tick = ticks.find(t => t.textContent === year);
            const rect = bar.querySelector('rect').getBBox();
            const x = rect.x + rect.width / 2, half = (ticks.length > 1 ?
                ticks[1].getBBox().x - ticks[0].getBBox().x : 1e9) / 2 + 1;
            const centre = tick.getBBox().x + tick.getBBox().width / 2;
            return tick && Math.abs(x - centre) <= half;
        });
    }""")
    assert inside
