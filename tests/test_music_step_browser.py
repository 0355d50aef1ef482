"""Step mode in headless Chromium: start a melody, pick the most likely next note, let the model pick
one more; the melody, the harmony's note list and the voice-leading report follow, and the chart's
bars are ordered and as long as their probabilities. Leaves a screenshot in /tmp/step.png and docs/screenshots/music-step.png."""
from __future__ import annotations

import pytest

from playground import config

pytestmark = pytest.mark.browser
START = "C5 C5 G5 G5 A5 A5 G5:2"


def check_bars(chart) -> list[float]:
    """The chart's probabilities, top-down; each bar as long as its share of the full track."""
    rows = chart.locator("tr.prob-row")
    track = rows.first.locator(".prob-track").bounding_box()["width"]
    probs = []
    for i in range(rows.count()):
        p = float(rows.nth(i).get_attribute("data-prob"))
        width = rows.nth(i).locator(".prob-bar").bounding_box()["width"]
        assert abs(width - p * track) <= 2
        probs.append(p)
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-6
    return probs


def test_two_steps_grow_the_melody_and_the_harmony_follows(tmp_path):
    from conftest import chromium_page

    from playground.bench import ServedApp

    with ServedApp(data_dir=str(tmp_path)) as app, chromium_page(app.url) as page:
        page.get_by_role("tab", name="Music", exact=True).click()
        page.locator("#music-step").get_by_text("Step mode", exact=False).first.click()  # open the accordion
        melody = page.locator("#music-step-melody textarea")
        melody.wait_for(state="visible")
        melody.fill(START)
        page.get_by_role("button", name="Harmonise and propose", exact=True).click()
        chart = page.locator("#music-step-probs table.prob-chart")
        chart.wait_for(timeout=90_000)
        assert "The next soprano note, at bar 3 beat 1" in chart.locator("caption").inner_text()
        check_bars(chart)
        notes_out = page.locator("#music-step-notes-out textarea")
        assert notes_out.input_value().startswith("Soprano: " + START)
        report = page.locator("#music-step-report")
        assert "Voice-leading report" in report.inner_text()

        # step 1: the most likely proposal
        first = page.locator("#music-step-pick").get_by_role("radio").first
        first.wait_for()
        note = chart.locator("tr.prob-row").first.get_attribute("data-token")
        first.check()
        page.locator("#music-step-add").click()
        page.wait_for_function(f"() => document.querySelector('#music-step-melody textarea').value === "
                               f"'{START} {note}'", timeout=60_000)
        page.locator("#music-step-probs caption").get_by_text("at bar 3 beat 2").wait_for()
        page.wait_for_function("() => document.querySelector('#music-step-notes-out textarea').value"
                               f".startsWith('Soprano: {START} {note}')")
        check_bars(chart)

        # step 2: typed, two beats
        page.locator("#music-step-typed textarea, #music-step-typed input").first.fill("E5:2")
        page.locator("#music-step-add").click()
        page.locator("#music-step-probs caption").get_by_text("at bar 3 beat 4").wait_for(timeout=60_000)
        assert melody.input_value() == f"{START} {note} E5:2"
        page.wait_for_function("() => document.querySelector('#music-step-notes-out textarea').value"
                               f".startsWith('Soprano: {START} {note} E5:2')")
        assert "Voice-leading report" in report.inner_text() and "9 notes" in page.locator(
            "#music-step-status").inner_text()
        page.locator("#music-step-audio audio, #music-step-audio button").first.wait_for(state="attached")
        page.locator("#music-step-roll img").first.wait_for()
        probs = check_bars(chart)
        assert probs[0] > 0.1

        page.locator("#music-step-undo").click()
        page.locator("#music-step-probs caption").get_by_text("at bar 3 beat 2").wait_for(timeout=60_000)
        assert melody.input_value() == f"{START} {note}"
        page.set_viewport_size({"width": 1280, "height": 1400})
        page.locator("#music-step").evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path="/tmp/step.png", full_page=False)
        page.screenshot(path=str(config.ROOT / "docs" / "screenshots" / "music-step.png"), full_page=False)
