"""The rating widget and the dashboard in headless Chromium: rate, re-rate, and a hostile comment
that must show up as text (no element injected, no script run), behind the admin password.

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
    page.get_by_text("Blind comparison (A/B) and leaderboard").click()
    page.get_by_role("radio", name="Images").check()
    page.get_by_role("button", name="Compare", exact=True).click()
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
