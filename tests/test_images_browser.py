"""The Images tab in headless Chromium: the model radio shows labels from each config, picking the
conditional GAN reveals the digit choice and its note, and an example draws the asked digit."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_picking_models_and_examples_in_a_real_browser(tmp_path):
    from conftest import chromium_page

    from playground.bench import ServedApp

    with ServedApp(data_dir=str(tmp_path)) as app, chromium_page(app.url) as page:
        page.get_by_role("tab", name="Images", exact=True).click()
        tab = page.locator("#tab-images")
        for label in ("GAN", "Conditional GAN", "VAE"):
            tab.get_by_role("radio", name=label, exact=True).wait_for()
        digit = tab.get_by_label("Digit", exact=True)
        assert not digit.is_visible()  # the first model (GAN) cannot be asked for a digit
        tab.get_by_role("radio", name="Conditional GAN", exact=True).check()
        digit.wait_for(state="visible")
        tab.get_by_text("The conditional GAN also gets the digit you ask for").wait_for()
        tab.get_by_text("cgan-digits (weights").first.wait_for()  # the drawing under the pictures names the model
        tab.get_by_role("radio", name="VAE", exact=True).check()
        digit.wait_for(state="hidden")
        tab.get_by_text("squeeze each digit into 8 numbers").wait_for()
        tab.get_by_text("vae-digits (weights").first.wait_for()
        tab.get_by_role("row", name="Conditional GAN 3 3").click()  # an example: model, seed, digit
        tab.get_by_text("seed 3, digit 3").wait_for(timeout=120_000)
        assert digit.is_visible()


def test_diffusion_draws_and_shows_its_trajectory(tmp_path):
    """Pick Diffusion: its settings appear; Generate draws the strip from noise to digit and the
    GIF; a slider move redraws the strip; they hide for the GAN. The screenshot goes to
    docs/screenshots/images-diffusion.png."""
    from conftest import chromium_page

    from playground import config
    from playground.bench import ServedApp

    with ServedApp(data_dir=str(tmp_path)) as app, chromium_page(app.url) as page:
        page.get_by_role("tab", name="Images", exact=True).click()
        tab = page.locator("#tab-images")
        steps = tab.get_by_label("number input for Sampling steps")
        assert not steps.is_visible()  # the first model is not the diffusion model
        tab.get_by_role("radio", name="Diffusion", exact=True).check()
        steps.wait_for(state="visible")
        tab.get_by_text("A diffusion model learned to clean up noise").wait_for()
        tab.get_by_label("Digit", exact=True).click()
        page.get_by_role("option", name="3", exact=True).click()
        tab.get_by_role("button", name="Generate", exact=True).click()
        tab.get_by_text("digit 3").first.wait_for(timeout=120_000)
        strip = page.locator("#image-trajectory img")
        strip.wait_for(timeout=120_000)
        page.locator("#image-denoising img").wait_for()
        tab.get_by_text("What the steps cost").wait_for()
        before = strip.get_attribute("src")
        box = tab.get_by_label("number input for Direction 2")
        box.fill("2")
        box.press("Enter")
        page.wait_for_function("([el, b]) => el.getAttribute('src') !== b", arg=[strip.element_handle(), before])
        page.locator("#image-sample").scroll_into_view_if_needed()
        shots = config.ROOT / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "images-diffusion.png"), full_page=False)
        tab.get_by_role("radio", name="GAN", exact=True).check()  # its settings hide again
        steps.wait_for(state="hidden")
        assert not page.locator("#image-trajectory").is_visible()
