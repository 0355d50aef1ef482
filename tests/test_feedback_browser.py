"""The rating widget and the dashboard in headless Chromium: rate, re-rate, and a hostile comment
that must show up as text (no element injected, no script run), behind the admin password; a blind
vote that changes the leaderboard table and its error-bar chart.

Skips, with the reason printed by ``-ra``, where Debian's chromium is not installed.
"""
from __future__ import annotations

import socket

import gradio as gr
import pytest

from playground import feedback
from playground.feedback import FeedbackStore
from playground.generation import Generation
from tabs import i18n as ui_i18n
from tabs import feedback as dashboard
from tabs import rating

pytestmark = pytest.mark.browser
EVIL = '<img src="x" id="injected" onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>'
SECRET = "s3cret"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from conftest import chromium_page

    store = FeedbackStore(f"sqlite:///{tmp_path_factory.mktemp('browser-feedback') / 'f.db'}")
    feedback.set_default_store(store)
    with gr.Blocks() as demo:
        with gr.Tab("Text"):
            gr.Textbox("Shall I compare thee", label="Output")
            rating.build(gr.State(Generation("text", "text-shakespeare", "abc", {"seed": 1}, "Shall I compare thee")))
        with gr.Tab("Feedback"):
            dashboard.build(SECRET)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                        i18n=ui_i18n.i18n())  # labels are i18n keys: the page needs the table
    try:
        with chromium_page(demo.local_url) as pg:
            yield pg
    finally:
        demo.close()
        feedback.set_default_store(None)
        store.close()


def test_rate_then_rerate_updates(page):
    page.get_by_label("5 great").check()
    page.get_by_label("Comment (optional)").fill(EVIL)
    page.get_by_role("button", name="Submit rating").click()
    page.get_by_text("Saved: 5/5").wait_for()
    page.get_by_label("2", exact=True).check()
    page.get_by_role("button", name="Submit rating").click()
    page.get_by_text("Updated: 2/5").wait_for()
    assert feedback.default_store().count() == 1


def test_dashboard_shows_the_hostile_comment_as_text_behind_the_password(page):
    page.get_by_role("tab", name="Feedback").click()
    page.get_by_text("1 rating").first.wait_for()
    assert page.get_by_text("bold", exact=False).count() == 0  # nothing before the password
    box = page.get_by_label("Admin password")
    box.fill("wrong")
    box.press("Enter")
    page.wait_for_timeout(3000)
    assert page.get_by_text("bold", exact=False).count() == 0  # a wrong password shows nothing
    box.fill(SECRET)
    box.press("Enter")
    # the comment's markup appears literally, as the text of a table cell
    page.wait_for_function("() => [...document.querySelectorAll('td')].some(td => td.textContent.includes("
                           "'<img src=\"x\" id=\"injected\"') && td.textContent.includes('<b>bold</b>'))")
    page.get_by_label("Latest comments").first.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/feedback-comments.png")
    assert page.locator("#injected").count() == 0 and page.locator("b", has_text="bold").count() == 0
    assert page.evaluate("window.__xss === undefined")


def test_blind_comparison_vote_reveals_names_and_updates_the_leaderboard(page):
    """Images: two versions draw the same seed; the vote is stored once and the names revealed."""
    page.get_by_role("tab", name="Feedback").click()
    _open_comparison(page)
    _compare_images(page)
    page.get_by_text("Which is better?").wait_for(timeout=60_000)
    assert page.get_by_text("Your vote is stored with both outputs").count() >= 1  # said before voting
    page.get_by_role("button", name="A is better").click()
    page.get_by_text("A was").wait_for()
    revealed = page.get_by_text("A was").inner_text()
    from playground import images

    names = [i.name for i in images.models()]  # any two image versions may be paired
    assert "B was" in revealed and sum(n in revealed for n in names) >= 1
    page.wait_for_function("names => [...document.querySelectorAll('td')].some(td => names.some(n => "
                           "td.textContent.includes(n)))", arg=names)
    page.screenshot(path="/tmp/feedback-compare.png", full_page=True)
    page.get_by_role("button", name="B is better").click()  # a second vote on the same pair is refused
    page.get_by_text("already voted").first.wait_for()
    from playground import votes

    assert len(votes.battles(feedback.default_store(), "image")) == 1


def _open_comparison(page) -> None:
    if not page.get_by_role("button", name="Compare", exact=True).is_visible():
        page.get_by_text("Blind comparison (A/B): vote").click()


def _compare_images(page) -> None:
    page.locator("#compare-of").get_by_role("radio", name="Images").check()
    page.get_by_label("Digit both versions draw", exact=False).wait_for()  # the prompt box was emptied
    page.get_by_role("button", name="Compare", exact=True).click()


IDLE = ("() => !['table', 'chart', 'said'].some(w => document.querySelector('#leaderboard-' + w)"
        ".closest('.block, .prose, div').innerText.includes('processing'))")


def _shot(page, name: str) -> None:
    """Screenshots of the leaderboard table and its chart: /tmp/lb_<name>_table.png, /tmp/lb_<name>_chart.png."""
    page.wait_for_function(IDLE)
    for what in ("table", "chart"):
        page.locator(f"#leaderboard-{what}").scroll_into_view_if_needed()
        page.locator(f"#leaderboard-{what}").screenshot(path=f"/tmp/lb_{name}_{what}.png")


def test_a_vote_changes_the_leaderboard_table_and_its_error_bar_chart(page):
    """Votes already stored rank two image versions; one more vote in the page redraws both."""
    from playground import images, votes

    names = [i.name for i in images.models()][:2]
    store = feedback.default_store()
    for i in range(6):  # another classroom session voted before: the first version won 5 of 6
        pid = votes.show_pair(store, Generation("image", names[0], "h0", {"seed": i}, {"latent": [0.0]}),
                              Generation("image", names[1], "h1", {"seed": i}, {"latent": [1.0]}), "earlier")
        votes.vote(store, pid, "a" if i else "b", "earlier")
    page.get_by_role("tab", name="Feedback").click()
    page.locator("#leaderboard-of").get_by_role("radio", name="Images").check()
    page.get_by_role("button", name="Refresh").click()  # the radio may already show Images
    page.wait_for_function("n => document.querySelector('#leaderboard-table').innerText.includes(n)", arg=names[1])
    chart = page.locator("#leaderboard-chart img")
    chart.wait_for()
    before_src, before_table = chart.get_attribute("src"), page.locator("#leaderboard-table").inner_text()
    _shot(page, "before")
    _open_comparison(page)
    _compare_images(page)
    page.get_by_text("Which is better?").wait_for(timeout=60_000)
    page.get_by_role("button", name="Tie", exact=True).click()
    page.get_by_text("A was").wait_for()
    page.wait_for_function("src => { const i = document.querySelector('#leaderboard-chart img'); "
                           "return i && i.src !== src; }", arg=before_src)
    page.wait_for_function("t => { const x = document.querySelector('#leaderboard-table').innerText; "
                           "return x !== t && !x.includes('processing'); }", arg=before_table)
    _shot(page, "after")
    page.locator("#leaderboard-progress").scroll_into_view_if_needed()
    page.locator("#leaderboard-progress").screenshot(path="/tmp/lb_progress.png")
    table = page.locator("#leaderboard-table").inner_text()
    assert table.index(names[0]) < table.index(names[1])  # strongest first: the one that won 5 of 6 is above
    assert page.locator("#leaderboard-chart img").evaluate("i => i.naturalWidth > 300 && i.naturalHeight > 100")
