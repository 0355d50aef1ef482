"""The Music tab in headless Chromium: harmonise "Twinkle, Twinkle" with the Coconet harmoniser, read
the voice-leading report, the note list and the next-note chart (bar lengths = probabilities)."""
from __future__ import annotations

import pytest

from playground import config

pytestmark = pytest.mark.browser
SHOTS = config.ROOT / "docs" / "screenshots"
TWINKLE = "C5 C5 G5 G5 A5 A5 G5:2 F5 F5 E5 E5 D5 D5 C5:2"


def test_harmonise_twinkle_shows_report_and_chart(tmp_path):
    from conftest import chromium_page

    from playground.bench import ServedApp

    with ServedApp(data_dir=str(tmp_path)) as app, chromium_page(app.url) as page:
        page.get_by_role("tab", name="Music", exact=True).click()
        tab = page.locator("#tab-music")
        tab.get_by_role("radio", name="Harmonise", exact=False).check()
        key_lock = tab.get_by_label("Key lock")
        key_lock.wait_for(state="visible")  # harmonise-only settings appear
        key_lock.check()
        page.locator("#music-notes textarea").fill(TWINKLE)
        tab.get_by_role("button", name="Compose", exact=True).click()
        report = page.locator("#music-report")
        report.get_by_text("Key: C major.").wait_for(timeout=90_000)
        assert "No parallel fifths or octaves" in report.inner_text()
        assert "100 % of the notes belong to C major" in report.inner_text()
        page.locator("#music-roll img").first.wait_for()
        notes = page.locator("#music-notes-out textarea")
        assert notes.input_value().startswith("Soprano: " + TWINKLE)

        chart = page.locator("#music-probs table.prob-chart")
        chart.wait_for(timeout=60_000)
        assert "Alto at bar 1 beat 1" in chart.locator("caption").inner_text()
        assert chart.locator('tr[data-chosen="true"]').count() == 1
        assert chart.get_by_role("columnheader", name="Note").count() == 1  # a real table for screen readers
        rows = chart.locator("tr.prob-row")
        track = rows.first.locator(".prob-track").bounding_box()["width"]
        for i in range(min(3, rows.count())):  # each bar's length is its probability of the full track
            p = float(rows.nth(i).get_attribute("data-prob"))
            width = rows.nth(i).locator(".prob-bar").bounding_box()["width"]
            assert abs(width - p * track) <= 2

        page.get_by_role("radio", name="Bass", exact=True).check()
        page.locator("#music-probs caption").get_by_text("Bass at bar 1 beat 1").wait_for()
        page.get_by_role("radio", name="Alto", exact=True).check()
        beat = page.locator("#music-beat input[type=number]")
        beat.fill("13")
        beat.press("Enter")
        page.locator("#music-probs caption").get_by_text("Alto at bar 4 beat 1").wait_for()
        page.set_viewport_size({"width": 1280, "height": 1500})  # the roll, the report and the chart in one view
        page.locator("#music-roll").evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / "music.png"), full_page=False)
