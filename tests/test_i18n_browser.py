"""Spanish in Chromium: ``?lang=es`` and a Spanish browser both show the Spanish labels."""
from __future__ import annotations

import pytest

from conftest import chromium_page
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


def _open_tab(page, name: str, inside) -> None:
    """Click tab ``name`` once; ``inside`` must show. (``?tab=`` is applied in the page at load, never
    by a late server answer, so a reader's click is not undone: ``tabs/links.py``.)"""
    page.get_by_role("tab", name=name).click()
    inside.wait_for(timeout=60_000)


def test_lang_es_in_the_link_shows_spanish(app):
    with chromium_page(app.url + "?lang=es&tab=text", locale="en-US", ready="Texto", timeout_ms=20_000) as page:
        _spanish(page)
        _open_tab(page, "Imágenes", page.locator("#tab-images").get_by_role("button", name="Generar", exact=True))
        page.locator("#tab-images").get_by_text("Imágenes a partir de ruido").wait_for()  # a long help text


def test_a_spanish_browser_shows_spanish_and_the_tour_steps(app):
    with chromium_page(app.url, locale="es-ES", ready="Texto", timeout_ms=20_000) as page:
        _spanish(page)
        tour = page.locator("#tour-text")
        tour.get_by_text("Visita guiada").click()
        tour.get_by_text("Qué hace el modelo").wait_for()
        tour.get_by_role("button", name="Siguiente ▶").click()
        tour.get_by_text("Muestreo").wait_for()
        assert not tour.get_by_text("Qué hace el modelo").is_visible()


def test_english_stays_the_default(app):
    with chromium_page(app.url) as page:
        page.locator("#tab-text").get_by_role("button", name="Generate", exact=True).wait_for()
        assert page.get_by_role("tab", name="Music").is_visible()


def test_spanish_long_texts_status_lines_and_error_pop_ups(app):
    """Server-written text follows ``?lang=es`` too: a status line, an error pop-up from a
    playground ValueError, and the long help texts of two tabs."""
    with chromium_page(app.url + "?lang=es&tab=text", locale="en-US", ready="Texto") as page:
        text = page.locator("#tab-text")
        text.get_by_text("Un modelo de lenguaje lee tu texto inicial").wait_for()
        text.get_by_role("button", name="Enviar valoración").click()
        text.get_by_text("Aún no hay nada que valorar: genera algo primero.").wait_for()
        _open_tab(page, "Música", page.locator("#tab-music").get_by_role("button", name="Componer", exact=True))
        music = page.locator("#tab-music")
        music.get_by_text("Compón al estilo de los corales de Bach").wait_for()
        music.locator("#music-notes textarea").fill("H9 C5")
        music.get_by_role("button", name="Componer", exact=True).click()
        page.locator(".toast-body").get_by_text("'H9' no es un nombre de nota").wait_for()
