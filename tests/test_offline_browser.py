"""Offline classroom: loading the page and every tab, and generating, asks nothing of the internet.

Every request Chromium makes (page, scripts, styles, fonts, images, API calls) must go to the app's
own origin, or be a data:/blob: URL, so the app works in a school without internet access (the
theme's fonts, for one, are Gradio's bundled copies under /static/fonts, not Google Fonts).
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from conftest import chromium_page
from playground.bench import ServedApp

pytestmark = pytest.mark.browser
TABS = ("Text", "Images", "Music", "Feedback")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with ServedApp(data_dir=str(tmp_path_factory.mktemp("offline"))) as served:
        yield served


def test_every_tab_and_a_generation_stay_on_the_apps_origin(app):
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(app.url))
    requests: list[str] = []
    with chromium_page(app.url, setup=lambda pg: pg.on("request", lambda r: requests.append(r.url))) as page:
        page.wait_for_load_state("load")
        for name in TABS:
            page.get_by_role("tab", name=name, exact=True).click()
            page.locator(f"#tab-{name.lower()}").get_by_role("button").first.wait_for()
        page.get_by_role("tab", name="Text", exact=True).click()
        text = page.locator("#tab-text")
        text.get_by_role("button", name="Generate", exact=True).click()
        out = page.get_by_label("Continuation (streams as it is written)")
        page.wait_for_function("el => el.value.length >= 20", arg=out.element_handle(), timeout=60_000)
        page.wait_for_timeout(500)  # anything the page fetches after the output shows
    assert len(requests) > 10, requests  # the listener saw the page load
    outside = sorted({u for u in requests if not (u.startswith(origin + "/") or u == origin
                                                  or u.startswith(("data:", "blob:")))})
    assert not outside, f"requests outside {origin}: {outside}"
