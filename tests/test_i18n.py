"""Every user-facing string has English and Spanish, and every translated label on the page does."""
from __future__ import annotations

import json

import gradio as gr
from gradio.i18n import I18nData

import app
from tabs import i18n


def test_every_key_has_every_language():
    missing = [(k, lang) for k, row in i18n.table().items() for lang in i18n.LANGS if not row.get(lang, "").strip()]
    assert not missing, f"keys without a translation: {missing}"


def test_spanish_is_not_a_copy_of_english():
    same = [k for k, row in i18n.table().items() if row["es"] == row["en"] and len(row["en"]) > 8]
    assert not same, f"untranslated (Spanish = English): {same}"


def test_every_tab_has_a_tour_of_3_to_5_steps_in_both_languages():
    from tabs.tours import TOURS

    assert set(TOURS) == {"text", "images", "music", "feedback"}
    for tab, steps in TOURS.items():
        assert 3 <= len(steps) <= 5, tab
        assert all(set(step) == set(i18n.LANGS) for step in steps), tab


def test_an_unknown_key_fails_at_build_time():
    import pytest

    with pytest.raises(KeyError):
        i18n.t("no.such.key")


def test_a_key_compares_equal_to_its_english_text():
    assert i18n.t("common.seed") == "Seed" and i18n.t("common.seed") != "Semilla"


def _keys(block: gr.blocks.Block) -> list[str]:
    """The translation keys a component shows (label, info, value, placeholder)."""
    found = []
    for attr in ("label", "info", "value", "placeholder"):
        v = getattr(block, attr, None)
        if isinstance(v, I18nData):
            found.append(v.key)
        elif isinstance(v, str) and v.startswith("__i18n__"):  # values are kept in their wire form
            found.append(json.loads(v[len("__i18n__"):])["key"])
    return found


def test_every_key_on_the_built_page_has_both_languages(tmp_path):
    demo = app.build_demo(app.parse_args(["--data-dir", str(tmp_path)]))
    rows = i18n.translations()
    used = {k for b in demo.blocks.values() for k in _keys(b)}
    assert {"tab.text", "common.generate", "tour.text.1", "music.compose"} <= used
    missing = [(k, lang) for k in used for lang in i18n.LANGS if k not in rows[lang]]
    assert not missing, missing
    options = app.launch_options()
    assert options["i18n"].translations_dict["es"]["tab.music"] == "Música"
