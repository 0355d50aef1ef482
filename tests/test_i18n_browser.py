"""Spanish in Chromium: ``?lang=es`` and a Spanish browser both show the Spanish labels."""
from __future__ import annotations

import pytest

from conftest import CHROMIUM_ARGS, chromium_page
from playground.bench import ServedApp

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with ServedApp(data_dir=str(tmp_path_factory.mktemp("es"))) as served:
        yield served


def _spanish(page) -> None:
    page.get_by_role("tab", name="Música").wait_for()
    text = page.locator("#tab-text")
    text.get_by_role("button", name="Generar", exact=True).wait_for()  # (visible, or fail)
    text.get_by_label("Texto inicial (vacío = empezar de cero)").wait_for()
    page.get_by_text("Visita guiada").first.wait_for()
    page.get_by_text("Los modelos escriben en inglés").first.wait_for()


def _open_tab(page, name: str, inside, tries: int = 6) -> None:
    """Click tab ``name`` until ``inside`` shows. Known race: the link's ``?tab=`` is applied by the
    page's load event, and on a busy server that can land after a first click and switch back."""
    for _ in range(tries):
        page.get_by_role("tab", name=name).click()
        try:
            inside.wait_for(timeout=10_000)
            return
        except Exception:  # playwright's TimeoutError: click again
            continue
    inside.wait_for(timeout=1)  # fails with playwright's message


def test_lang_es_in_the_link_shows_spanish(app):
    from playwright.sync_api import sync_playwright

    chromium_page(app.url)  # skips where Chromium is missing
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-US")
            page.set_default_timeout(20_000)
            page.goto(app.url + "?lang=es&tab=text")
            _spanish(page)
            _open_tab(page, "Imágenes", page.locator("#tab-images").get_by_role("button", name="Generar", exact=True))
        finally:
            browser.close()


def test_a_spanish_browser_shows_spanish_and_the_tour_steps(app):
    from playwright.sync_api import sync_playwright

    chromium_page(app.url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="es-ES")
            page.set_default_timeout(20_000)
            page.goto(app.url)
            _spanish(page)
            tour = page.locator("#tour-text")
            tour.get_by_text("Visita guiada").click()
            tour.get_by_text("Qué hace el modelo").wait_for()
            tour.get_by_role("button", name="Siguiente ▶").click()
            tour.get_by_text("Muestreo").wait_for()
            assert not tour.get_by_text("Qué hace el modelo").is_visible()
        finally:
            browser.close()


def test_english_stays_the_default(app):
    with chromium_page(app.url) as page:
        page.locator("#tab-text").get_by_role("button", name="Generate", exact=True).wait_for()
        assert page.get_by_role("tab", name="Music").is_visible()
