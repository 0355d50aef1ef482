"""The UI in English and Spanish: ``t(key)`` for the page, ``say(key)`` and ``sentence(msg)`` for the server.

    gr.Button(t("common.generate"))        # English "Generate", Spanish "Generar" (translated in the page)
    return say("rating.saved", verb=..., rating=4)      # a status line in the language of this request
    raise gr.Error(sentence(str(e)))       # a playground ValueError's English sentence, translated
    demo.launch(i18n=i18n.i18n(), app_kwargs={"middleware": [Middleware(i18n.LangFromQuery)]})

The browser's language chooses (Gradio's own i18n, done in the page); ``?lang=es`` or
``?lang=en`` overrides it (``LangFromQuery``). Text the server writes picks the same language from
the request (``lang_of``: ``?lang=`` of the page, else Accept-Language, else English). The models
still write English and Bach: the page says so.

Where the text lives: ``tabs/strings.py`` (every label, help text and server message, by key),
``tabs/tours.py`` (tour steps, keys ``tour.<tab>.<n>``), ``tabs/sentences.py`` (Spanish templates
for the English sentences of the playground's ValueErrors). ``tests/test_i18n.py`` fails when a
key lacks a language, when a tab passes a bare string to the page, or when a ValueError sentence
has no Spanish template.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import gradio as gr
from gradio.i18n import I18nData

from tabs import sentences, strings

LANGS = ("en", "es")
STRINGS: dict[str, dict[str, str]] = {**strings.PAGE, **strings.TEXT, **strings.IMAGES, **strings.MUSIC,
                                      **strings.FEEDBACK, **strings.MUSIC_NOTES}
# Gradio picks its locale from navigator.language while the page boots, before any script of
# ``head=`` runs; so ``?lang=`` is applied by the server, in the page's first <head> script.
LANG_SCRIPT = ("<script>Object.defineProperty(navigator, 'language', {get: () => '%s'});"
               "Object.defineProperty(navigator, 'languages', {get: () => ['%s']});</script>")


class LangFromQuery:
    """ASGI middleware: the page ``/?lang=es`` (a language of ``LANGS``) boots in that language."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        lang = _query_lang(scope)
        if lang is None:
            return await self.app(scope, receive, send)
        start: dict = {}
        chunks: list[bytes] = []

        async def rewrite(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if b"text/html" in dict(start.get("headers", [])).get(b"content-type", b""):
                body = body.replace(b"<head>", b"<head>" + (LANG_SCRIPT % (lang, lang)).encode(), 1)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def _query_lang(scope: dict) -> str | None:
    """``es`` for a GET of the page itself with ``?lang=es``; None otherwise (and for other paths)."""
    if scope.get("type") != "http" or scope.get("method") != "GET" or scope.get("path") not in ("/", ""):
        return None
    lang = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0].lower()
    return lang if lang in LANGS else None


class Text(I18nData):
    """A translation key that compares equal to its English text (tests and code can find it)."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, I18nData):
            return other.key == self.key
        return other == english(self.key)

    def __hash__(self) -> int:
        return hash(self.key)


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    """Every key with its languages: ``STRINGS``, the tour steps (``tour.<tab>.<n>``) and the empty
    probability charts (``chart.empty.<name>``: HTML the page shows before the first answer)."""
    from tabs.charts import probability_bars
    from tabs.tours import TOURS

    out = dict(STRINGS)
    for tab, steps in TOURS.items():
        for n, step in enumerate(steps, 1):
            out[f"tour.{tab}.{n}"] = {lang: f"**{n}/{len(steps)}** · {step[lang]}" for lang in step}
    for name, (title, empty) in EMPTY_CHARTS.items():
        out[f"chart.empty.{name}"] = {lang: probability_bars([], title=STRINGS[title][lang], empty=STRINGS[empty][lang])
                                      for lang in LANGS}
    return out


EMPTY_CHARTS = {"text": ("text.latest", "chart.generate_first"), "step": ("chart.title", "text.show_first"),
                "music": ("music.chart_title", "music.chart_empty")}


def label(text: str) -> Text | str:
    """A name shown on the page (a model's label): translated when ``name.<text>`` is a key."""
    return t(f"name.{text}") if f"name.{text}" in table() else text


def english(key: str) -> str:
    """The English text of ``key`` (KeyError for an unknown key, so a typo fails at build time)."""
    return table()[key]["en"]


def t(key: str) -> Text:
    """The page shows ``key`` in the reader's language."""
    english(key)
    return Text(key)


def example_table(samples: list, inputs: list, label_key: str, **kwargs: Any) -> gr.Examples:
    """``gr.Examples`` for inputs with translated labels and choices. Gradio's example table does
    not translate: it would print the inputs' labels (its headers) and a radio's choice names as
    raw keys. So the table has no headers, and a choice shows its English name."""
    ex = gr.Examples(samples, inputs, label=t(label_key), **kwargs)
    ex.dataset.headers = []
    for props in ex.dataset.component_props:
        if props.get("choices"):
            props["choices"] = [(english(shown.key) if isinstance(shown, I18nData) else str(shown), value)
                                for shown, value in props["choices"]]
    return ex


def translations() -> dict[str, dict[str, str]]:
    """``{lang: {key: text}}``, the shape ``gr.I18n`` takes."""
    rows = table()
    return {lang: {k: v[lang] for k, v in rows.items() if lang in v} for lang in LANGS}


def i18n() -> gr.I18n:
    """The ``gr.I18n`` for ``Blocks.launch(i18n=...)``."""
    return gr.I18n(**translations())


# ---------------------------------------------------------------- text the server writes

def lang_of(request: Any = None) -> str:
    """The language of ``request`` (default: the request Gradio is serving now): the page's ``?lang=``
    (the event's own query, which Gradio copies from the page, or the Referer), else the browser's
    first Accept-Language, else English. Called outside an event (tests, scripts): English."""
    if request is None:
        from gradio.context import LocalContext  # Gradio sets it around every event handler call

        request = LocalContext.request.get(None)
    if request is None:
        return "en"
    try:
        query = dict(getattr(request, "query_params", None) or {})
        headers = getattr(request, "headers", None) or {}
    except Exception:  # a request object without a real HTTP request behind it
        return "en"
    lang = str(query.get("lang", "")).lower()
    if lang not in LANGS:
        lang = parse_qs(urlsplit(headers.get("referer") or "").query).get("lang", [""])[0].lower()
    if lang in LANGS:
        return lang
    first = (headers.get("accept-language") or "").split(",")[0].split(";")[0].strip().lower()
    return first.split("-")[0] if first.split("-")[0] in LANGS else "en"


def say(key: str, lang: str | None = None, **values: Any) -> str:
    """The text of ``key`` in ``lang`` (default: this request's language), ``str.format``-ed with ``values``."""
    row = table()[key]
    return row.get(lang or lang_of(), row["en"]).format(**values)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    """``sentences.SENTENCES`` as regular expressions: ``{name}`` matches any text (the shortest)."""
    out = []
    for english_template, spanish in sentences.SENTENCES.items():
        parts = re.split(r"\{(\w+)\}", english_template)
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((re.compile(rx + r"\Z", re.DOTALL), spanish))
    return out


def term(text: str, lang: str) -> str:
    """A noun phrase the playground puts in its sentences ("seed", "number of candidates"), or a value
    with places and key names in it ("bar 2 beat 3", "C# minor": ``sentences.PHRASES``)."""
    if lang != "es":
        return text
    if text in sentences.TERMS:
        return sentences.TERMS[text]
    for pattern, spanish in sentences.PHRASES:
        text = re.sub(pattern, _key_name if spanish == "KEY" else spanish, text)
    return text


def _key_name(m: re.Match) -> str:
    accidental = {"#": " sostenido", "b": " bemol"}.get(m.group(2) or "", "")
    return f"{sentences.SOLFEGE[m.group(1)]}{accidental} {'mayor' if m.group(3) == 'major' else 'menor'}"


def sentence(message: str, lang: str | None = None) -> str:
    """A playground sentence (a ValueError's message, a note) in ``lang`` (default: this request's).

    English comes back unchanged; Spanish from the first template of ``sentences.SENTENCES`` that
    matches the whole sentence (the values it names are kept, known nouns translated). Several
    sentences in one message (``"A. B."``) are translated one by one. Unknown sentences stay English."""
    lang = lang or lang_of()
    if lang == "en" or not message:
        return message
    for rx, spanish in _patterns():
        m = rx.match(message)
        if m:
            return spanish.format(**{k: term(v, lang) for k, v in m.groupdict().items()})
    head, sep, tail = message.partition(". ")
    if sep and tail:
        first = sentence(head + ".", lang)
        return (first if first != head + "." else head + ".") + " " + sentence(tail, lang)
    return message


def translated(message: str, lang: str) -> bool:
    """True when ``message`` has a Spanish template (what ``tests/test_i18n.py`` checks)."""
    return any(rx.match(message) for rx, _ in _patterns())
