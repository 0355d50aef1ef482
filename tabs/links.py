"""Classroom links: "Link to this" under every output, and the page-load handler that replays one.

    with links.tabs():                      # app.py: the page's tabs, ?tab= / ?present=1 / notices
        with gr.Tab("Text", id="text"): ...
    links.build("text", gen_state, generate, {"model": model, "prompt": prompt, ...}, outputs)

``build`` takes the tab's Generate handler, its inputs by parameter name (in the handler's
order; a list spreads a list parameter over several controls) and its outputs. Opening a link
that names the tab fills those inputs from ``playground.links.parse_query`` and calls the same
handler, so the same output appears; ``?hide=`` hides the named inputs on every tab. Nothing is
stored on the server. Notices are plain text (escaped before Markdown shows them).
"""
from __future__ import annotations

import contextlib
import functools
import html
import inspect
import re
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import gradio as gr

from playground import links
from playground.generation import Generation
from tabs.i18n import say, sentence, t

Inputs = dict[str, "gr.components.Component | list[gr.components.Component]"]
# presenter mode: larger text and charts; the rating widget and closed (advanced) accordions hidden
PRESENT_CSS = """
body.present .gradio-container { font-size: 125%; }
body.present .gradio-container textarea, body.present .gradio-container input { font-size: 1.2rem; }
body.present .gradio-container .prose { font-size: 1.2rem; }
body.present .gradio-container img { image-rendering: pixelated; }
body.present #text-probs, body.present #step-probs { zoom: 1.35; }
body.present .gr-group:has(.rating-note) { display: none !important; }
body.present .block:has(> .label-wrap:not(.open)) { display: none !important; }
"""
PRESENT_JS = """() => {
  const q = new URLSearchParams(window.location.search);
  if (!['1', 'true', 'yes', 'on'].includes((q.get('present') || '').toLowerCase())) return;
  const style = document.createElement('style');
  style.textContent = %s;
  document.head.appendChild(style);
  document.body.classList.add('present');
}""" % repr(PRESENT_CSS).replace("\\n", " ")


def plain(text: str) -> str:
    """``text`` shown literally by gr.Markdown: HTML escaped, Markdown's special characters too."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~>])", r"\\\1", html.escape(text, quote=False))


def _query(request: gr.Request | None) -> str:
    """The raw query string of the page (events carry it on their queue URL)."""
    return urlsplit(str(getattr(request, "url", "") or "")).query if request is not None else ""


def read(request: gr.Request | None) -> links.LinkState:
    """The link this page was opened with (defaults when none, or when it is unreadable)."""
    return links.parse_query(_query(request))


def replays(request: gr.Request | None, tab: str) -> bool:
    """True when the page was opened with a link that makes an output on ``tab``."""
    link = read(request)
    return link.tab == tab and link.reproduce


def page_url(request: gr.Request | None) -> str:
    """The page's own address without its query: the Referer header, else the app's root."""
    headers = getattr(request, "headers", None) or {}
    ref = headers.get("referer") or ""
    parts = urlsplit(ref) if ref.startswith(("http://", "https://")) else urlsplit(str(getattr(request, "url", "")))
    path = parts.path if ref else parts.path.split("/gradio_api/")[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path or "/", "", ""))


def make_link(tab: str, generation: Generation | None, request: gr.Request = None) -> str:
    """The URL that reopens ``tab`` and makes ``generation`` again."""
    if generation is None:
        gr.Warning(say("link.nothing"))
        return ""
    query = links.build_query(tab, generation.model, generation.model_hash, generation.params)
    return f"{page_url(request)}?{query}"


# ---------------------------------------------------------------- replaying a link

def _model_value(component: gr.components.Component, name: str) -> Any:
    """The dropdown/radio value of the model called ``name`` (a name or folder), or None."""
    for choice in getattr(component, "choices", None) or []:
        label, value = choice if isinstance(choice, (tuple, list)) else (choice, choice)
        if name in (str(value), str(label), Path(str(value)).name):
            return value
    return None


def _update(component: gr.components.Component, value: Any, hidden: bool) -> Any:
    """One control's update: the link's value (None: left as it is); a value shows a hidden control."""
    if value is None:
        return gr.update(visible=False) if hidden else gr.skip()
    choices = [c[1] if isinstance(c, (tuple, list)) else c for c in getattr(component, "choices", None) or []]
    if choices and value not in choices and str(value) in choices:
        value = str(value)
    if hidden or component.visible is False:
        return gr.update(value=value, visible=not hidden)
    return gr.update(value=value)


def _updates(inputs: Inputs, link: links.LinkState, tab: str) -> dict:
    """Updates for every input of ``tab``: values when the link replays here, hidden where asked."""
    values = dict(link.params) if link.tab == tab and link.reproduce else {}
    out: dict = {}
    for name, target in inputs.items():
        hidden = name in link.hide
        if isinstance(target, list):
            amounts = list(values.get(name) or [])
            filled = amounts + [0.0] * (len(target) - len(amounts)) if name in values else [None] * len(target)
            out.update({c: _update(c, v, hidden) for c, v in zip(target, filled)})
        elif name == "model" and link.model and values:
            out[target] = _update(target, _model_value(target, link.model), hidden)
        else:
            out[target] = _update(target, values.get(name), hidden)
    return out


def fill(tab: str, inputs: Inputs, kept: gr.State, request: gr.Request = None) -> dict:
    """On page load: the link's values (and hidden controls) for this tab; the link kept in ``kept``."""
    link = read(request)
    return {**_updates(inputs, link, tab), kept: link}


def replay(tab: str, run: Callable, n_outputs: int, link: links.LinkState | None, *values: Any) -> Iterator:
    """Call the tab's own Generate handler when the link names this tab (else change nothing)."""
    if link is None or link.tab != tab or not link.reproduce:
        yield tuple(gr.skip() for _ in range(n_outputs)) if n_outputs > 1 else gr.skip()
        return
    result = run(*values)
    if inspect.isgenerator(result):
        yield from result
    else:
        yield result


def check(tab: str, link: links.LinkState | None, generation: Generation | None) -> str:
    """The notice under the link: the model or its weights changed since the link was made."""
    if link is None or link.tab != tab or not link.reproduce or generation is None:
        return gr.skip()
    notes = []
    if link.model and generation.model != link.model:
        notes.append(say("link.other_model", old=link.model, new=generation.model))
    elif link.hash and generation.model_hash != link.hash:
        notes.append(say("link.changed", old=link.hash))
    return plain(" ".join(notes))


def build(tab: str, state: gr.State, run: Callable, inputs: Inputs, outputs: list) -> gr.events.Dependency:
    """The "Link to this" row for ``tab``'s output in ``state``, and the replay of an opened link
    (returned: the event that draws it, for the tab to chain its own views to)."""
    with gr.Row():
        button = gr.Button(t("link.button"), size="sm", scale=0, min_width=140)
        url = gr.Textbox(label=t("link.url"), interactive=False,
                         buttons=["copy"], scale=4, elem_classes=["link-url"])
    notice = gr.Markdown(elem_classes=["link-notice"])
    link = gr.State(None)  # the link this page was opened with

    def link_to(generation: Generation | None, request: gr.Request = None) -> str:
        return make_link(tab, generation, request)

    def opened(request: gr.Request = None) -> dict:  # (a functools.partial would not receive the request)
        return fill(tab, inputs, link, request)

    button.click(link_to, [state], url, api_visibility="private", concurrency_limit=None)
    controls = [c for t in inputs.values() for c in (t if isinstance(t, list) else [t])]
    load = gr.on(None, opened, None, [*controls, link], api_visibility="private",
                 concurrency_limit=None)
    replayed = load.then(functools.partial(replay, tab, run, len(outputs)), [link, *controls], outputs,
                         api_visibility="private", show_progress="hidden")
    replayed.then(functools.partial(check, tab), [link, state], notice, api_visibility="private")
    return replayed


# ---------------------------------------------------------------- the page

# ?tab= is applied in the page, at once: a server round trip could land after the reader's first
# click on another tab and switch back. Only a tab of this page (data-tab-id) is selected, and only
# if the reader has not picked one yet (``TAB_PICKED_JS`` in the page's head notes a real click).
SELECT_TAB_JS = """() => {
  const tab = (new URLSearchParams(window.location.search).get('tab') || '').toLowerCase();
  if (!tab || window.__playgroundTabPicked) return;
  const button = Array.from(document.querySelectorAll('button[role="tab"][data-tab-id]'))
      .find(b => b.dataset.tabId === tab);
  if (button && button.getAttribute('aria-selected') !== 'true') button.click();
}"""
TAB_PICKED_JS = """<script>
document.addEventListener('click', (e) => {
  if (e.isTrusted && e.target.closest && e.target.closest('button[role="tab"]')) window.__playgroundTabPicked = true;
}, true);
</script>
"""


def _notice(text: str) -> str:
    """One notice of ``playground.links`` in the reader's language (a bad link's reason too)."""
    if text.startswith(links.BAD) and text != links.BAD:
        reason = text[len(links.BAD):].strip()
        if reason.startswith("(") and reason.endswith(")"):
            return f"{sentence(links.BAD)} ({sentence(reason[1:-1])})"
    return sentence(text)


def select(request: gr.Request = None) -> str:
    """On page load: the link's one notice (plain text, in the reader's language)."""
    link = read(request)
    return plain(" ".join(_notice(n) for n in link.notices))


@contextlib.contextmanager
def tabs() -> Iterator[gr.Tabs]:
    """The page's tabs: opens on ``?tab=`` (in the page), shows a bad link's notice, ``?present=1`` styles."""
    notice = gr.Markdown(elem_id="link-notice")
    with gr.Tabs() as page:
        yield page
    gr.on(None, None, None, None, js=SELECT_TAB_JS)
    gr.on(None, select, None, [notice], api_visibility="private", concurrency_limit=None)
    gr.on(None, None, None, None, js=PRESENT_JS)
