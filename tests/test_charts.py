"""The probability bar chart (tabs/charts.py): its HTML, and how it renders in real Chromium."""
from __future__ import annotations

import html
import re

import pytest

from tabs import charts

ITEMS = [("b", 0.1), ("a", 0.6369), ("<script>alert('x')</script>", 0.25), ("␣", 0.0001)]


def _rows(markup: str) -> list[dict]:
    """(token, prob, bar width %, chosen) for each row, in document order."""
    out = []
    for m in re.finditer(r'<tr class="prob-row[^"]*" data-token="([^"]*)" data-prob="([^"]*)"([^>]*)>(.*?)</tr>', markup):
        width = re.search(r'class="prob-bar" style="width:([0-9.]+)%', m.group(4))
        out.append({"token": html.unescape(m.group(1)), "prob": float(m.group(2)), "width": float(width.group(1)),
                    "chosen": 'data-chosen="true"' in m.group(3), "cells": m.group(4)})
    return out


def test_rows_are_sorted_by_probability_descending():
    rows = _rows(charts.probability_bars(ITEMS))
    assert [r["prob"] for r in rows] == sorted((r["prob"] for r in rows), reverse=True)
    assert [r["token"] for r in rows] == ["a", "<script>alert('x')</script>", "b", "␣"]
    assert charts.probability_rows(ITEMS)[0] == ("a", 0.6369)


def test_labels_are_escaped():
    markup = charts.probability_bars(ITEMS, chosen="<script>alert('x')</script>", title="<b>t</b>")
    assert "<script>" not in markup and "<b>t</b>" not in markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in markup and "&lt;b&gt;t&lt;/b&gt;" in markup


def test_bar_widths_are_proportional_to_the_probability_on_an_absolute_scale():
    rows = _rows(charts.probability_bars(ITEMS))
    for r in rows:
        assert r["width"] == pytest.approx(100 * r["prob"], abs=0.006)  # p = 0.5 fills half the track
    assert rows[0]["width"] == pytest.approx(63.69) and "63.7 %" in rows[0]["cells"]
    assert "&lt; 0.1 %" in rows[-1]["cells"]  # tiny, but not shown as 0
    assert _rows(charts.probability_bars([("x", 0.5)]))[0]["width"] == 50.0


def test_the_chosen_token_is_marked_in_words_not_colour_alone():
    rows = _rows(charts.probability_bars(ITEMS, chosen="b"))
    assert [r["token"] for r in rows if r["chosen"]] == ["b"]
    chosen = next(r for r in rows if r["chosen"])
    assert "◀ chosen" in chosen["cells"] and "font-weight:700" in chosen["cells"]
    assert sum("◀ chosen" in r["cells"] for r in rows) == 1
    assert not any(r["chosen"] for r in _rows(charts.probability_bars(ITEMS)))
    # a chosen token outside the shown rows is said, not silently dropped
    missing = charts.probability_bars(ITEMS, chosen="zz")
    assert "Chosen: zz, not among the 4 shown" in missing and not any(r["chosen"] for r in _rows(missing))


def test_accessible_table_with_caption_and_decorative_bars():
    markup = charts.probability_bars(ITEMS, title="Next-note probabilities", header="Note")
    assert markup.startswith('<table class="prob-chart"') and "<caption" in markup
    assert "Next-note probabilities" in markup and '<th scope="col"' in markup and ">Note</th>" in markup
    assert markup.count('class="prob-track" aria-hidden="true"') == len(ITEMS)
    assert markup.count('<th scope="row"') == len(ITEMS)


def test_empty_list_shows_the_message():
    markup = charts.probability_bars([])
    assert 'class="prob-chart' in markup and "Generate to see the probabilities." in markup
    assert "prob-row" not in markup
    assert "Pick first." in charts.probability_bars([], empty="Pick first.")


def test_text_handlers_return_the_chart_with_the_drawn_token_chosen():
    from playground import config
    from playground import text as tx
    from tabs import text as tab

    model = str(config.DEFAULT_TEXT_MODEL)
    *_, last = tab.generate(model, "ROMEO:", 12, 0.8, 0, 1.0, 7)
    steps = list(tx.stream(tx.load(model), tx.Params(prompt="ROMEO:", length=12, temperature=0.8, seed=7)))
    assert last[1] == charts.probability_bars(steps[-1].top, chosen=steps[-1].token, title=tab.LATEST)
    peeked, *_ = tab.peek(model, "ROMEO:", 1.0, 0, 1.0)
    assert _rows(peeked) and not any(r["chosen"] for r in _rows(peeked))


# ---- real Chromium ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def page(tmp_path_factory):
    pytest.importorskip("playwright", reason="Playwright's Python package is not installed")
    from conftest import chromium_page

    from playground.bench import ServedApp

    with ServedApp(data_dir=str(tmp_path_factory.mktemp("charts"))) as app, chromium_page(app.url) as pg:
        pg.app_url = app.url
        yield pg


_MEASURE = """root => [...root.querySelectorAll('.prob-row')].map(tr => {
  const track = tr.querySelector('.prob-track').getBoundingClientRect();
  const bar = tr.querySelector('.prob-bar').getBoundingClientRect();
  return {token: tr.dataset.token, prob: parseFloat(tr.dataset.prob), chosen: tr.dataset.chosen === 'true',
          top: tr.getBoundingClientRect().top, track: track.width, bar: bar.width, barLeft: bar.left,
          trackLeft: track.left, text: tr.querySelector('.prob-value').innerText, row: tr.innerText};
})"""

_CONTRAST = """el => {
  const rgb = s => s.match(/[0-9.]+/g).map(Number);
  let bg = el, c;
  while (bg && ((c = getComputedStyle(bg).backgroundColor) === 'transparent' || rgb(c)[3] === 0)) bg = bg.parentElement;
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(rgb(bg ? getComputedStyle(bg).backgroundColor : 'rgb(255,255,255)'))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _generate(page, dark: bool = False) -> list[dict]:
    if dark:
        page.goto(page.app_url + "?__theme=dark", wait_until="load")
        page.get_by_role("tab", name="Text").wait_for()
    page.get_by_role("tab", name="Text", exact=True).click()
    tab = page.locator("#tab-text")
    # one new token at temperature 1.5 after the default prompt: a spread distribution (~37 %, 13 %, 7 % ...)
    for name, value in [("Length (new tokens)", "1"), ("Temperature", "1.5")]:
        box = tab.get_by_label(f"number input for {name}")
        box.fill(value)
        box.press("Enter")
    tab.get_by_role("button", name="Generate", exact=True).click()
    tab.get_by_text("tokens/s").first.wait_for(timeout=90_000)  # the last update has arrived
    chart = page.locator("#text-probs .prob-chart")
    chart.wait_for()
    chart.scroll_into_view_if_needed()
    return chart.evaluate(_MEASURE)


@pytest.mark.browser
def test_text_tab_bars_are_as_long_as_the_probabilities(page):
    rows = _generate(page)
    print("\nmeasured:", [(r["token"], r["prob"], round(r["bar"] / r["track"], 4), r["bar"], r["track"]) for r in rows])
    page.screenshot(path="/tmp/text-chart.png", full_page=False)
    page.locator("#text-probs").screenshot(path="/tmp/text-chart-element.png")
    assert len(rows) >= 5 and 0.1 < rows[0]["prob"] < 0.9, rows  # bars of visibly different lengths
    assert [r["prob"] for r in rows] == sorted((r["prob"] for r in rows), reverse=True)
    assert [r["top"] for r in rows] == sorted(r["top"] for r in rows)  # drawn top-down in that order
    full = rows[0]["track"]
    assert full > 100 and all(abs(r["track"] - full) < 0.5 for r in rows)  # one scale for every bar
    for r in rows:
        assert abs(r["bar"] - r["prob"] * full) <= 2, r
        assert abs(r["barLeft"] - r["trackLeft"]) < 0.5
        assert r["text"] == ("< 0.1 %" if r["prob"] < 0.0005 else f"{100 * r['prob']:.1f} %")
    assert page.locator("#text-probs .prob-value").first.is_visible()
    chosen = [r for r in rows if r["chosen"]]
    assert len(chosen) == 1 and "◀ chosen" in chosen[0]["row"]
    assert sum("◀ chosen" in r["row"] for r in rows) == 1
    last = page.locator("#tab-text").get_by_label("Continuation (streams as it is written)").input_value()[-1]
    assert chosen[0]["token"] == {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(last, last)  # the token just drawn
    assert page.locator("#text-probs .prob-value").first.evaluate(_CONTRAST) >= 4.5


@pytest.mark.browser
def test_text_chart_is_readable_in_dark_mode(page):
    rows = _generate(page, dark=True)
    page.locator("#text-probs").screenshot(path="/tmp/text-chart-dark.png")
    assert all(abs(r["bar"] - r["prob"] * rows[0]["track"]) <= 2 for r in rows)
    for sel in [".prob-value", ".prob-label", "caption"]:
        assert page.locator(f"#text-probs {sel}").first.evaluate(_CONTRAST) >= 4.5, sel
