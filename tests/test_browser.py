"""The playground as a person meets it: headless Chromium clicking through the served app.

Uses Debian's chromium (``/usr/bin/chromium``) driven by Playwright's Python package (no browser
download). Skips, with the reason printed by ``-ra``, where Chromium is not installed.
Screenshots land in ``docs/screenshots/`` (the README shows them).
"""
from __future__ import annotations

import pytest

from playground import config

pytestmark = pytest.mark.browser
SHOTS = config.ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from conftest import chromium_page

    from playground.bench import ServedApp

    SHOTS.mkdir(parents=True, exist_ok=True)
    with ServedApp(data_dir=str(tmp_path_factory.mktemp("browser"))) as app, chromium_page(app.url) as pg:
        yield pg


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    page.wait_for_timeout(300)


def rate(page, scope, stars: str = "5 great") -> str:
    """Submit a rating with the shared widget inside ``scope``; returns the confirmation."""
    scope.get_by_role("radio", name=stars, exact=True).first.check()
    scope.get_by_role("button", name="Submit rating").first.click()
    confirmation = scope.get_by_text("Thank you!").first
    confirmation.wait_for()
    return confirmation.inner_text()


def test_text_tab_generates_streams_and_rates(page):
    open_tab(page, "Text")
    tab = page.locator("#tab-text")
    tab.get_by_role("button", name="Generate", exact=True).click()
    out = tab.get_by_label("Continuation (streams as it is written)")
    page.wait_for_function("el => el.value.length >= 200", arg=out.element_handle(), timeout=60_000)
    assert len(out.input_value()) == 200
    tab.get_by_text("tokens/s").first.wait_for()
    page.locator("#text-probs").scroll_into_view_if_needed()  # the screenshot shows the probability chart too
    page.screenshot(path=str(SHOTS / "text.png"), full_page=True)
    assert "Saved" in rate(page, tab)


def test_text_step_mode(page):
    open_tab(page, "Text")
    tab = page.locator("#tab-text")
    tab.get_by_text("Step through it").click()
    tab.get_by_role("button", name="Show next-token probabilities").click()
    first = tab.locator("label").filter(has_text="%)").first
    first.wait_for()
    before = tab.get_by_label("Text so far").input_value()
    first.click()
    tab.get_by_role("button", name="Add the picked token").click()
    page.wait_for_function("([el, b]) => el.value.length === b.length + 1",
                           arg=[tab.get_by_label("Text so far").element_handle(), before])
    assert tab.get_by_label("Text so far").input_value().startswith(before)


def test_images_tab_draws_and_a_slider_changes_the_sample(page):
    open_tab(page, "Images")
    tab = page.locator("#tab-images")
    big = page.locator("#image-sample img")
    big.first.wait_for()  # the page's first drawing (seed 0)
    shown = big.first.get_attribute("src")
    tab.get_by_label("Seed", exact=True).fill("5")
    tab.get_by_role("button", name="Generate", exact=True).click()  # seed 5: another picture, so we see it arrive
    page.wait_for_function("([el, b]) => el.getAttribute('src') !== b", arg=[big.first.element_handle(), shown])
    sent = []  # the page's requests for one slider move

    def move(to: str) -> None:
        before = big.first.get_attribute("src")
        box = tab.get_by_label("number input for Direction 1")
        box.fill(to)
        box.press("Enter")
        page.wait_for_function("([el, b]) => el.getAttribute('src') !== b", arg=[big.first.element_handle(), before])
        page.wait_for_timeout(500)  # anything it sets off has been sent by now
    move("2.5")  # (after the drawings before it, and what they set off, are done)
    def record(r) -> None:
        sent.append((r.method, r.url.partition("/gradio_api/")[2], r.post_data or ""))
    page.on("request", record)
    move("-1.5")
    page.remove_listener("request", record)
    # one plain POST (no queue join, no second event: the rating resets in the page), then the picture
    (post, body), = [((m, u), d) for m, u, d in sent if not u.startswith("file=")]
    assert post == ("POST", "run/predict"), sent
    assert '"fn_index":%d' % page.evaluate("window.gradio_config.dependencies.find(d => d.api_name === 'move').id") \
        in body, sent
    page.locator("#image-sample").scroll_into_view_if_needed()  # the moved sample, not just the box
    page.screenshot(path=str(SHOTS / "images.png"), full_page=False)
    assert "Saved" in rate(page, tab, "4")
    move("0.5")  # a new drawing starts a fresh rating (in the page: no request)
    tab.get_by_text("Thank you!").first.wait_for(state="hidden")
    assert not tab.get_by_role("radio", name="4", exact=True).first.is_checked()


def test_images_the_picture_follows_a_slider_moved_while_generate_draws(page):
    """A move answers at once; Generate, clicked just before it, answers later with the sliders as
    they were at its click. Once both are in, the picture is the one the sliders say (catch_up)."""
    open_tab(page, "Images")
    tab = page.locator("#tab-images")
    big = page.locator("#image-sample img")
    box = tab.get_by_label("number input for Direction 2")

    def settle(to: str, ms: int = 1500) -> str:
        box.fill(to)
        box.press("Enter")
        page.wait_for_timeout(ms)
        return big.first.get_attribute("src")

    tab.get_by_role("button", name="Generate", exact=True).click()
    after_both = settle("1.5", 3000)  # sent while Generate is still queued or drawing
    settle("0")
    assert settle("1.5") == after_both  # the same slider value, moved on a quiet page
    settle("0")


def test_music_tab_composes_audio_and_rates(page):
    open_tab(page, "Music")
    tab = page.locator("#tab-music")
    tab.get_by_role("button", name="Compose", exact=True).click()
    page.locator("#music-roll img").first.wait_for(timeout=90_000)
    page.locator("#music-audio audio, #music-audio .waveform-container, #music-audio button").first.wait_for()
    page.screenshot(path=str(SHOTS / "music.png"), full_page=False)
    assert "Saved" in rate(page, tab, "3")


def test_feedback_dashboard_counts_the_ratings(page):
    open_tab(page, "Feedback")
    tab = page.locator("#tab-feedback")
    tab.get_by_role("button", name="Refresh").click()
    tab.get_by_text("3 ratings").first.wait_for()
    # the screenshot waits until the leaderboard's charts have drawn: no "processing" placeholders
    # and no block still faded as pending (Gradio's .pending, opacity 0.2)
    page.wait_for_function("() => !document.querySelector('#tab-feedback').innerText.includes('processing')"
                           " && !document.querySelector('#tab-feedback .pending')")
    page.screenshot(path=str(SHOTS / "feedback.png"), full_page=True)
