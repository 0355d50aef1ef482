"""The UI in English and Spanish: every translated string, and ``t(key)`` to put one on the page.

    gr.Button(t("common.generate"))        # English "Generate", Spanish "Generar"
    demo.launch(i18n=i18n.i18n(), app_kwargs={"middleware": [Middleware(i18n.LangFromQuery)]})

The browser's language chooses (Gradio's own i18n, done in the page); ``?lang=es`` or
``?lang=en`` overrides it (``LangFromQuery``). The models still write English and Bach: the tours say so.
Tour steps live in ``tabs/tours.py`` and become the keys ``tour.<tab>.<n>``.
``tests/test_i18n.py`` fails when a key lacks a language.
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import parse_qs

import gradio as gr
from gradio.i18n import I18nData

LANGS = ("en", "es")
STRINGS: dict[str, dict[str, str]] = {
    # the page
    "app.intro": {"en": "# Generative AI Playground\nSmall generative models you can poke at: continue a text, "
                        "pull images out of noise, compose music, and tell the app what you think of each output.",
                  "es": "# Laboratorio de IA generativa\nModelos generativos pequeños para explorar: continúa un "
                        "texto, saca imágenes del ruido, compón música y di a la app qué te parece cada resultado. "
                        "Los modelos escriben en inglés y componen como Bach."},
    "tab.text": {"en": "Text", "es": "Texto"},
    "tab.images": {"en": "Images", "es": "Imágenes"},
    "tab.music": {"en": "Music", "es": "Música"},
    "tab.feedback": {"en": "Feedback", "es": "Valoraciones"},
    # tours
    "tour.title": {"en": "Tour: the idea of this tab, step by step", "es": "Visita guiada: la idea de esta "
                   "pestaña, paso a paso"},
    "tour.back": {"en": "◀ Back", "es": "◀ Atrás"},
    "tour.next": {"en": "Next ▶", "es": "Siguiente ▶"},
    # shared widgets
    "common.seed": {"en": "Seed", "es": "Semilla"},
    "common.model": {"en": "Model", "es": "Modelo"},
    "common.temperature": {"en": "Temperature", "es": "Temperatura"},
    "common.generate": {"en": "Generate", "es": "Generar"},
    "common.stop": {"en": "Stop", "es": "Detener"},
    "link.button": {"en": "🔗 Link to this", "es": "🔗 Enlace a esto"},
    "link.url": {"en": "Link to this output (opens the same inputs and output)",
                 "es": "Enlace a este resultado (abre las mismas entradas y el mismo resultado)"},
    "rating.label": {"en": "Rate this output", "es": "Valora este resultado"},
    "rating.comment": {"en": "Comment (optional)", "es": "Comentario (opcional)"},
    "rating.submit": {"en": "Submit rating", "es": "Enviar valoración"},
    # text
    "text.prompt": {"en": "Seed prompt (empty = start from scratch)",
                    "es": "Texto inicial (vacío = empezar de cero)"},
    "text.output": {"en": "Continuation (streams as it is written)",
                    "es": "Continuación (en inglés; aparece mientras se escribe)"},
    "text.length": {"en": "Length (new tokens)", "es": "Longitud (tokens nuevos)"},
    "text.top_k": {"en": "Top-k (0 = off)", "es": "Top-k (0 = desactivado)"},
    "text.top_p": {"en": "Top-p (1 = off)", "es": "Top-p (1 = desactivado)"},
    "text.new_seed": {"en": "🎲 New seed", "es": "🎲 Semilla nueva"},
    "text.stepper": {"en": "Step through it: pick the next token yourself",
                     "es": "Paso a paso: elige tú el siguiente token"},
    # images
    "images.new_noise": {"en": "New noise", "es": "Ruido nuevo"},
    "images.grid_size": {"en": "Grid size", "es": "Tamaño de la cuadrícula"},
    "images.sliders": {"en": "Latent sliders", "es": "Deslizadores del espacio latente"},
    "images.reset": {"en": "Reset sliders", "es": "Poner deslizadores a cero"},
    # music
    "music.notes": {"en": "Notes", "es": "Notas"},
    "music.mode": {"en": "Mode", "es": "Modo"},
    "music.compose": {"en": "Compose", "es": "Componer"},
    "music.audio": {"en": "Audio", "es": "Audio"},
    "music.roll": {"en": "Piano roll", "es": "Piano roll (rollo de piano)"},
    "music.notes_out": {"en": "Notes of the result (the piano roll as text)",
                        "es": "Notas del resultado (el piano roll como texto)"},
    # feedback
    "feedback.refresh": {"en": "Refresh", "es": "Actualizar"},
    "feedback.table": {"en": "Ratings per model", "es": "Valoraciones por modelo"},
    "feedback.comments": {"en": "Latest comments", "es": "Últimos comentarios"},
}
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


def table() -> dict[str, dict[str, str]]:
    """Every key with its languages: ``STRINGS`` and the tour steps (``tour.<tab>.<n>``)."""
    from tabs.tours import TOURS

    out = dict(STRINGS)
    for tab, steps in TOURS.items():
        for n, step in enumerate(steps, 1):
            out[f"tour.{tab}.{n}"] = {lang: f"**{n}/{len(steps)}** · {step[lang]}" for lang in step}
    return out


def english(key: str) -> str:
    """The English text of ``key`` (KeyError for an unknown key, so a typo fails at build time)."""
    return table()[key]["en"]


def t(key: str) -> Text:
    """The page shows ``key`` in the reader's language."""
    english(key)
    return Text(key)


def translations() -> dict[str, dict[str, str]]:
    """``{lang: {key: text}}``, the shape ``gr.I18n`` takes."""
    rows = table()
    return {lang: {k: v[lang] for k, v in rows.items() if lang in v} for lang in LANGS}


def i18n() -> gr.I18n:
    """The ``gr.I18n`` for ``Blocks.launch(i18n=...)``."""
    return gr.I18n(**translations())
