"""Keyboard only, in Chromium: Tab reaches the prompt and Generate, Enter or Space runs it.

No mouse click anywhere: the page is opened, focus moves by Tab, and keys press the buttons.
"""
from __future__ import annotations

import pytest

from conftest import chromium_page
from playground.bench import ServedApp

pytestmark = pytest.mark.browser
MAX_TABS = 80  # Tab presses allowed to reach one control


def focused(page) -> dict:
    """What has the keyboard focus: tag, its text or accessible label, the tab panel it is in."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const label = el.labels && el.labels[0] ? el.labels[0].innerText : (el.getAttribute('aria-label') || '');
        const panel = el.closest('[id^="tab-"]');
        return {tag: el.tagName, text: (el.innerText || '').trim(), label: label.trim(),
                role: el.getAttribute('role') || '', panel: panel ? panel.id : ''};
    }""")


def tab_to(page, wanted, what: str) -> dict:
    """Press Tab until ``wanted(focused)`` is true; fail with the path taken if it never is."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append(f"{now['tag']}:{now['text'] or now['label']}"[:40])
        if wanted(now):
            return now
    pytest.fail(f"{what} not reached with {MAX_TABS} Tab presses; focus went: {seen}")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with ServedApp(data_dir=str(tmp_path_factory.mktemp("keys"))) as served:
        yield served


def test_text_generate_from_the_keyboard(app):
    with chromium_page(app.url) as page:
        page.locator("#tab-text").get_by_role("button", name="Generate", exact=True).wait_for()
        tab_to(page, lambda f: f["tag"] == "TEXTAREA" and f["label"].startswith("Seed prompt"), "the prompt")
        page.keyboard.press("Control+A")
        page.keyboard.type("JULIET:\nGood")
        tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Generate" and f["panel"] == "tab-text",
               "the Text Generate button")
        page.keyboard.press("Enter")
        out = page.get_by_label("Continuation (streams as it is written)")
        page.wait_for_function("el => el.value.length >= 20", arg=out.element_handle(), timeout=60_000)


def test_images_generate_from_the_keyboard(app):
    with chromium_page(app.url) as page:
        tab_to(page, lambda f: f["role"] == "tab" and f["text"].startswith("Text"), "the tab list")
        page.keyboard.press("ArrowRight")  # tabs: arrow keys move between them (WAI-ARIA tabs)
        if focused(page)["text"] != "Images":
            tab_to(page, lambda f: f["role"] == "tab" and f["text"] == "Images", "the Images tab")
        page.keyboard.press("Enter")
        images = page.locator("#tab-images")
        images.get_by_text("seed 0").first.wait_for()
        seed = tab_to(page, lambda f: f["panel"] == "tab-images" and f["label"] == "Seed", "the Images seed")
        assert seed["tag"] == "INPUT"
        page.keyboard.press("Control+A")
        page.keyboard.type("3")
        tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Generate" and f["panel"] == "tab-images",
               "the Images Generate button")
        page.keyboard.press("Space")
        images.get_by_text("seed 3").first.wait_for()
