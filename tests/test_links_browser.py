"""Classroom links in Chromium: a link made in one page reproduces the output in a fresh browser
after an app restart; ?present=1, ?hide= and ?tab= do what they say; a tampered link shows one
notice and injects nothing."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import chromium_page
from playground.bench import ServedApp

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir()) / "playground-links"  # screenshots to look at, not kept
SHOTS.mkdir(exist_ok=True)
DEFAULT_PROMPT = "ROMEO:\nO, she doth teach the torches"


def _on(app: ServedApp, link: str) -> str:
    """``link`` (made on another server) pointed at ``app``: same query, this app's address."""
    return app.url + "?" + urlsplit(link).query


def _panel(page, tab: str):
    return page.locator(f"#tab-{tab}")


def _link(page, tab: str) -> str:
    panel = _panel(page, tab)
    panel.get_by_role("button", name="Link to this").click()
    box = panel.locator(".link-url textarea, .link-url input").first
    page.wait_for_function("el => el.value.startsWith('http')", arg=box.element_handle())
    return box.input_value()


def _slider(panel, label: str):
    return panel.get_by_role("slider", name=f"range slider for {label}")


def _selected(page, name: str) -> None:
    tab = page.get_by_role("tab", name=name)
    page.wait_for_function("el => el.getAttribute('aria-selected') === 'true'", arg=tab.element_handle())


def _image_bytes(page) -> bytes:
    src = page.locator("#image-sample img").get_attribute("src")
    return page.request.get(src).body()


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A text and an image made on a first server, with their links; then the server stops."""
    with ServedApp(data_dir=str(tmp_path_factory.mktemp("first"))) as app, chromium_page(app.url) as page:
        page.get_by_role("button", name="Generate").first.click()
        output = page.get_by_label("Continuation (streams as it is written)")
        page.wait_for_function("el => el.value.length >= 200", arg=output.element_handle(), timeout=60_000)
        page.get_by_text("tokens in").wait_for()
        text, text_link = output.input_value(), _link(page, "text")
        page.get_by_role("tab", name="Images").click()
        images = _panel(page, "images")
        images.get_by_text("seed 0").first.wait_for()
        seed = images.get_by_label("Seed").first
        seed.fill("5")
        images.get_by_role("button", name="Generate").click()
        images.get_by_text("seed 5").first.wait_for()
        image, image_link = _image_bytes(page), _link(page, "images")
    return {"text": text, "text_link": text_link, "image": image, "image_link": image_link}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The app restarted on a fresh data dir (a new machine, as far as links are concerned)."""
    with ServedApp(data_dir=str(tmp_path_factory.mktemp("second"))) as app:
        yield app


def test_a_text_link_makes_the_same_text_after_a_restart(made, fresh):
    assert "tab=text" in made["text_link"] and "seed=7" in made["text_link"] and "hash=" in made["text_link"]
    with chromium_page(_on(fresh, made["text_link"])) as page:
        output = page.get_by_label("Continuation (streams as it is written)")
        page.wait_for_function("([el, t]) => el.value === t", arg=[output.element_handle(), made["text"]])
        assert page.get_by_label("Seed prompt (empty = start from scratch)").input_value() == DEFAULT_PROMPT
        assert not page.get_by_text("the model has changed").is_visible()
        page.screenshot(path=str(SHOTS / "link-text.png"))


def test_an_image_link_draws_the_same_image_after_a_restart(made, fresh):
    assert "tab=images" in made["image_link"] and "seed=5" in made["image_link"]
    with chromium_page(_on(fresh, made["image_link"])) as page:
        _selected(page, "Images")
        _panel(page, "images").get_by_text("seed 5").first.wait_for()
        assert _image_bytes(page) == made["image"]
        page.screenshot(path=str(SHOTS / "link-image.png"))


def test_a_changed_model_is_named(fresh):
    with chromium_page(fresh.url + "?tab=text&model=text-shakespeare&hash=000000000000&length=5&seed=1") as page:
        page.get_by_text("the model has changed since").wait_for()
        assert page.get_by_text("weights 000000000000").is_visible()


def test_present_hides_the_rating_and_advanced_parts(fresh):
    with chromium_page(fresh.url + "?present=1") as page:
        page.wait_for_function("document.body.classList.contains('present')")
        text = _panel(page, "text")
        text.get_by_role("button", name="Generate").wait_for()
        assert not text.get_by_text("Rate this output").is_visible()
        assert not text.get_by_role("button", name="Submit rating").is_visible()
        assert not text.get_by_text("Step through it").is_visible()
        assert _slider(text, "Temperature").is_visible()
        page.screenshot(path=str(SHOTS / "link-present.png"))


def test_hide_hides_the_named_controls(fresh):
    with chromium_page(fresh.url + "?hide=temperature,top_k") as page:
        text = _panel(page, "text")
        _slider(text, "Top-p (1 = off)").wait_for()
        page.wait_for_timeout(1000)  # the load handler runs after the first paint
        assert not _slider(text, "Temperature").is_visible()
        assert not _slider(text, "Top-k (0 = off)").is_visible()
        assert _slider(text, "Length (new tokens)").is_visible()


def test_tab_opens_on_that_tab(fresh):
    with chromium_page(fresh.url + "?tab=music") as page:
        _selected(page, "Music")
        assert _panel(page, "music").get_by_role("button", name="Compose").is_visible()


def test_a_diffusion_link_shows_its_settings_and_trajectory(fresh):
    """The page opens on the GAN; a link naming the diffusion model shows that model's settings and
    the strip from noise to digit (they stayed hidden before)."""
    with chromium_page(fresh.url + "?tab=images&model=diffusion-mnist&seed=3&label=7&n=4") as page:
        images = _panel(page, "images")
        images.get_by_text("seed 3, digit 7").first.wait_for(timeout=120_000)
        page.locator("#image-trajectory img").wait_for(timeout=60_000)
        assert images.get_by_label("number input for Sampling steps").is_visible()
        assert images.get_by_label("number input for Grid size").input_value() == "4"  # the link's, kept


def test_a_tampered_link_shows_one_notice_and_injects_nothing(fresh):
    bad = "?tab=text&temperature=oops&prompt=%3Cimg%20src%3Dx%20onerror%3Dwindow.__x%3D1%3E"
    with chromium_page(fresh.url + bad) as page:
        notice = page.locator("#link-notice")
        notice.get_by_text("could not be read").wait_for()
        assert len(re.findall("could not be read", page.inner_text("body"))) == 1
        assert page.get_by_label("Seed prompt (empty = start from scratch)").input_value() == DEFAULT_PROMPT
        assert page.evaluate("window.__x") is None and page.locator("img[src='x']").count() == 0
    html_prompt = "?tab=text&length=5&prompt=%3Cimg%20src%3Dx%20onerror%3Dwindow.__x%3D1%3E"
    with chromium_page(fresh.url + html_prompt) as page:  # a valid prompt that looks like HTML stays text
        box = page.get_by_label("Seed prompt (empty = start from scratch)")
        page.wait_for_function("el => el.value.startsWith('<img')", arg=box.element_handle())
        page.get_by_text("tokens in").wait_for()
        assert page.evaluate("window.__x") is None and page.locator("img[src='x']").count() == 0
