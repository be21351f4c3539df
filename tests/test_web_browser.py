"""End-to-end tests of `fichas serve` in a real headless Chromium (Debian's `chromium`,
driven by Playwright for Python; `scripts/setup_browser.sh` installs it).

With FICHAS_SCREENSHOTS=1 the tests also write
docs/screenshots/{search,document,series,program}.png (the README shows program.png).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "docs" / "screenshots"

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"{CHROMIUM} is missing: run scripts/setup_browser.sh (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright (Python) is not installed: pip install playwright"
)
pytest.importorskip("uvicorn", reason="uvicorn is not installed")

import uvicorn  # noqa: E402
from web_fixture import IMSS_2012, IMSS_2022, SCRIPT, SCRIPT_DOC, make_web_index  # noqa: E402

from nlp.web.app import create_app  # noqa: E402


def screenshot(page, name: str, full_page: bool = False) -> None:
    if os.environ.get("FICHAS_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    db = make_web_index(tmp_path_factory.mktemp("browser") / "fichas.db")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as err:  # a broken browser install is an environment problem, say which
            pytest.skip(f"{CHROMIUM} does not start under Playwright: {str(err).splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="es-MX")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_search_by_program_finds_the_2012_and_2022_fichas(page, base_url):
    page.goto(f"{base_url}/search")
    page.fill("input[name=program]", "IMSS-Oportunidades")
    page.select_option("select[name=per_page]", "100")
    page.click("button[type=submit]")
    page.wait_for_url("**/search?**program=IMSS-Oportunidades**")
    links = page.locator(".results-table td:first-child a").all_inner_texts()
    assert IMSS_2012 in links and IMSS_2022 in links
    assert page.locator(".facets h3", has_text="Program").count() == 1
    # the URL is the query: opening it again shows the same results
    again = page.context.new_page()
    again.goto(page.url)
    assert (
        again.locator(".results-table tbody tr").count()
        == page.locator(".results-table tbody tr").count()
    )
    again.close()
    page.goto(f"{base_url}/search?q=padr%C3%B3n&program=IMSS-Oportunidades")
    assert page.locator(".snippet mark").count() > 0
    screenshot(page, "search")


def test_document_page_shows_sections_and_entity_values(page, base_url):
    page.goto(f"{base_url}/doc/{IMSS_2012}")
    bands = page.locator("section.band")
    assert bands.count() >= 5
    assert set(bands.evaluate_all("els => els.map(e => e.dataset.label)")) >= {
        "description",
        "budget",
        "coverage",
    }
    assert page.locator(".toc li").count() == bands.count()
    budget = page.locator("section.band.sec-budget").last
    budget_color = budget.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert budget_color != page.locator("section.band.sec-coverage").first.evaluate(
        "e => getComputedStyle(e).borderLeftColor"
    )
    amount = page.locator("mark.ent-AMOUNT", has_text="8,500").first
    amount.scroll_into_view_if_needed()
    amount.hover()
    tooltip = amount.evaluate("e => getComputedStyle(e, '::after').content")
    assert "8,500 millones de pesos" in tooltip
    assert amount.get_attribute("title") == "Monto: 8,500 millones de pesos"
    page.click(".toc a[href^='#s']:has(.sec-budget)")
    assert page.evaluate("location.hash").startswith("#s")
    page.evaluate("window.scrollBy(0, -120)")
    amount.hover()
    screenshot(page, "document")


def test_series_page_draws_the_budget_points(page, base_url):
    page.goto(f"{base_url}/series?program=IMSS-Oportunidades")
    chart = page.locator("#budget-1 svg[role=img]")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    years = {
        (p.get_attribute("data-doc"), int(p.get_attribute("data-year")))
        for p in chart.locator("a.point").all()
    }
    assert {(IMSS_2012, y) for y in range(2007, 2013)} <= years
    assert {(IMSS_2022, y) for y in range(2017, 2023)} <= years
    circles = chart.locator("circle")
    assert all(c.bounding_box()["width"] > 0 for c in circles.all())
    assert chart.locator("path.series").count() >= 2
    assert page.locator("#budget-1 table.data tbody tr").count() == circles.count()
    page.locator(f"#budget-1 a.point[data-doc='{IMSS_2012}'][data-year='2008']").click()
    page.wait_for_url(f"**/doc/{IMSS_2012}#e*")
    assert page.locator(page.evaluate("location.hash")).inner_text().startswith("6,947.44")
    page.goto(f"{base_url}/series?program=IMSS-Oportunidades")
    screenshot(page, "series")


def test_search_form_is_spanish_and_sections_go_by_their_ids(page, base_url):
    page.goto(f"{base_url}/search")
    assert page.evaluate("document.documentElement.lang") == "es"
    page.fill("input[name=q]", "padrón")
    page.select_option("select[name=section]", label="Recomendaciones")
    page.click("button[type=submit]")
    page.wait_for_url("**/search?**section=recommendations**")
    assert IMSS_2022 in page.locator(".results-table td:first-child a").all_inner_texts()
    page.goto(f"{base_url}/search?seccion=recomendaciones&q=padr%C3%B3n")  # as typed in Spanish
    assert page.locator(".results-table .snippet mark").count() > 0
    assert "Recomendaciones" in page.locator(".facets").inner_text()


def test_program_page_reached_from_a_mention(page, base_url):
    page.goto(f"{base_url}/doc/{IMSS_2012}")
    mention = page.locator("a.mention", has_text="IMSS-Oportunidades").first
    mention.scroll_into_view_if_needed()
    mention.click()
    page.wait_for_url("**/programa/IMSS-BIENESTAR")
    assert page.locator("h1.program-title").inner_text() == "IMSS-BIENESTAR"
    chart = page.locator("#budget-1 svg[role=img]")
    assert chart.is_visible() and chart.locator("a.point").count() >= 12
    row = page.locator("tr.compare-row[data-label=recommendations]")
    old = row.locator(f"td[data-doc='{IMSS_2012}']").bounding_box()
    new = row.locator(f"td[data-doc='{IMSS_2022}']").bounding_box()
    assert old and new and abs(old["y"] - new["y"]) < 2 and old["x"] < new["x"]  # side by side
    assert "Mejorar el registro" in row.locator(f"td[data-doc='{IMSS_2022}']").inner_text()
    page.goto(f"{base_url}/programa/IMSS-Oportunidades")  # any name reaches it
    assert page.locator("h1.program-title").inner_text() == "IMSS-BIENESTAR"
    screenshot(page, "program", full_page=True)


def test_script_in_a_document_renders_as_text(page, base_url):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base_url}/doc/{SCRIPT_DOC}")
    assert SCRIPT in page.locator("section.band .text").inner_text()
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    page.goto(f"{base_url}/search?q=alert")
    assert SCRIPT in page.locator(".snippet").first.inner_text()
    page.wait_for_timeout(300)
    assert dialogs == []


def test_screenshots_were_written():
    if os.environ.get("FICHAS_SCREENSHOTS") != "1":
        pytest.skip("screenshots are taken only with FICHAS_SCREENSHOTS=1")
    assert all(
        (SHOTS / f"{n}.png").stat().st_size > 10_000
        for n in ("search", "document", "series", "program")
    )
