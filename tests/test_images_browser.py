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
