"""The models' "how it works" notes in the reader's language.

    explanations.image(img.find(name))    # the Images tab's note (English, or Spanish for a Spanish page)
    explanations.text(tm)                 # the Text tab's "About this model"
    explanations.music(model)             # the Music tab's note of a model (a translated page string)

The playground chooses the pieces of each note from the model's config and writes them in English
(``NOTES`` in ``playground/images/explanations.py`` and ``playground/text/explain.py``); the Spanish
of every piece, by the same name, is in ``tabs/strings.py`` (``IMAGE_NOTES_ES``, ``TEXT_NOTES_ES``).
"""
from __future__ import annotations

from typing import Any

from playground import images as img
from playground import music as music_notes
from playground import text as tx
from tabs import strings
from tabs.i18n import english, lang_of, t

IMAGE_NOTES = {"es": strings.IMAGE_NOTES_ES}
TEXT_NOTES = {"es": strings.TEXT_NOTES_ES}


def image(model: Any, lang: str | None = None) -> str:
    """The note of an image model (``img.find``'s info or a loaded model) in ``lang`` (default: this request's)."""
    return img.explain(model, IMAGE_NOTES.get(lang or lang_of()))


def text(tm: tx.TextModel, lang: str | None = None) -> str:
    """The "About this model" paragraph of a text model in ``lang`` (default: this request's)."""
    return tx.explain(tm, TEXT_NOTES.get(lang or lang_of()))


def music(model: Any) -> Any:
    """The Music tab's note of ``model`` (a name or folder): static per model family, so a page
    string (``t``) that Gradio shows in the reader's language; a note without a key stays as written."""
    note = music_notes.explain(model)
    key = next((k for k in strings.MUSIC_NOTES if english(k) == note), None)
    return t(key) if key else note

