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


# ---------------------------------------------------------------- strict: no bare English on the page

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
# gr.<Component>(...) arguments that the page shows as words
SHOWN = {"label", "info", "placeholder", "value", "title", "caption", "x_title", "y_title", "empty"}
FIRST_ARG_SHOWN = {"Markdown", "Button", "Accordion", "Tab", "Error", "Warning", "Info", "HTML", "Examples"}
TEXT_VALUE = {"Textbox", "Markdown", "Button", "HTML"}  # components whose value= is words on the page
# strings that are not language: emoji, numbers, markup, model input the models read in English
ALLOWED = {"", "A", "B", "2", "3", "4"}


def _bare(node) -> str | None:
    """The text of a string literal or f-string with literal words (None for anything else)."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        words = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return words if any(c.isalpha() for c in words.replace("#", "")) else None
    return None


def _wordy(text: str) -> bool:
    import re

    return text not in ALLOWED and bool(re.search(r"[A-Za-z]{2,}", text))


def _gradio_calls(tree):
    import ast

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "gr":
            yield node.func.attr, node


def test_no_tab_passes_a_bare_string_to_the_page():
    """Every label, info, placeholder, Markdown, button, accordion, tab and pop-up goes through
    ``t()`` / ``say()`` / ``sentence()``: a literal with words in it fails here."""
    import ast

    found = []
    for path in sorted([*ROOT.glob("tabs/*.py"), ROOT / "app.py"]):
        if path.name in ("strings.py", "sentences.py", "i18n.py", "tours.py"):
            continue  # the tables themselves
        tree = ast.parse(path.read_text())
        for name, call in _gradio_calls(tree):
            args = [(kw.arg, kw.value) for kw in call.keywords if kw.arg in SHOWN]
            if call.args and name in FIRST_ARG_SHOWN | TEXT_VALUE:
                args.append(("(first)", call.args[0]))
            if name in ("Radio", "Dropdown", "CheckboxGroup") and call.args and isinstance(call.args[0], ast.List):
                args += [("choice", e.elts[0] if isinstance(e, ast.Tuple) else e) for e in call.args[0].elts]
            for arg, value in args:
                if arg == "value" and name not in TEXT_VALUE:
                    continue
                text = _bare(value)
                if text is not None and _wordy(text):
                    found.append(f"{path.name}:{call.lineno} gr.{name}({arg}={text[:50]!r})")
    assert not found, "strings on the page without a translation (use t()/say()):\n" + "\n".join(found)


def test_the_bare_string_check_catches_one():
    import ast

    tree = ast.parse('gr.Button("Go")\ngr.Slider(label=f"Direction {i}")\ngr.Markdown("🔗")')
    flagged = [(n, _bare(c.args[0] if c.args else c.keywords[0].value)) for n, c in _gradio_calls(tree)]
    assert [n for n, text in flagged if text is not None and _wordy(text)] == ["Button", "Slider"]


def _messages(node, consts):
    """Every message a ``ValueError(...)`` argument can build, formatted values as ``X7``."""
    import ast
    import itertools

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = [[v.value] if isinstance(v, ast.Constant) else ["X7"] for v in node.values]
        return ["".join(p) for p in itertools.product(*parts)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _messages(node.left, consts) for b in _messages(node.right, consts)]
    if isinstance(node, ast.IfExp):
        return _messages(node.body, consts) + _messages(node.orelse, consts)
    if isinstance(node, ast.Name) and node.id in consts:
        return _messages(consts[node.id], consts)
    return []


def _value_errors():
    """(where, message) for every ``raise ValueError(...)`` in playground/ and tabs/."""
    import ast

    out = []
    for path in sorted([*ROOT.glob("playground/**/*.py"), *ROOT.glob("tabs/*.py")]):
        tree = ast.parse(path.read_text())
        consts = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
                  for t in n.targets if isinstance(t, ast.Name)}
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and getattr(node.exc.func, "id", "") == "ValueError" and node.exc.args:
                for message in _messages(node.exc.args[0], consts) or [None]:
                    out.append((f"{rel}:{node.lineno}", message))
    return out


def test_every_value_error_sentence_has_spanish():
    """A playground ValueError reaches the page as a gr.Error (``tabs.common.user_errors``): its
    English sentence needs a template in ``tabs/sentences.py`` (or a place in ``INTERNAL``)."""
    from tabs import sentences

    errors = _value_errors()
    assert len(errors) > 100
    missing = []
    for where, message in errors:
        internal = any(where.startswith(p) or (":" in p and where.startswith(p.split(":")[0])
                                               and message and message.startswith(p.split(":")[1]))
                       for p in sentences.INTERNAL)
        if internal or message is None:  # None: a message built elsewhere (checked below)
            continue
        if not i18n.translated(message, "es"):
            missing.append(f"{where}: {message}")
    assert not missing, "ValueError sentences without Spanish (add them to tabs/sentences.py):\n" + "\n".join(missing)
    unresolved = [w for w, m in errors if m is None]
    # by file, not line: an edit above the raise must not fail this test
    assert {w.split(":")[0] for w in unresolved} <= {"playground/music/catalog.py", "tabs/music_step.py"}, unresolved


def test_messages_built_elsewhere_have_spanish():
    from playground import music

    msg = music.missing_message("/nowhere/music-bach")
    assert i18n.sentence(msg, "es") != msg and "Entrénalo" in i18n.sentence(msg, "es")


def test_every_noun_the_validators_name_has_spanish():
    import ast

    from tabs import sentences

    nouns = set()
    for path in ROOT.glob("playground/**/*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in \
                    ("whole", "number", "choice", "text", "flag", "digit") and len(node.args) >= 2:
                if isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                    nouns.add(node.args[1].value)
    missing = sorted(n for n in nouns if n and n not in sentences.TERMS)
    assert not missing, f"add these to tabs/sentences.py TERMS: {missing}"


def test_english_sentences_stay_unchanged_and_spanish_keeps_the_values():
    msg = "The seed must be between 0 and 2,147,483,647."
    assert i18n.sentence(msg, "en") == msg
    assert i18n.sentence(msg, "es") == "El valor «semilla» debe estar entre 0 y 2,147,483,647."
    assert i18n.sentence("'H9' is not a note name; write notes like C4, F#3 or Bb5 (R for a rest).", "es") \
        .startswith("'H9' no es un nombre de nota")
    assert i18n.sentence("Something new.", "es") == "Something new."  # unknown: English rather than nothing


class _Request:
    def __init__(self, query=None, headers=None):
        self.query_params, self.headers = query or {}, headers or {}


def test_lang_of_reads_the_link_then_the_browser():
    assert i18n.lang_of(_Request({"lang": "es"})) == "es"
    assert i18n.lang_of(_Request(headers={"referer": "http://x/?tab=text&lang=es"})) == "es"
    assert i18n.lang_of(_Request(headers={"accept-language": "es-ES,es;q=0.9,en;q=0.8"})) == "es"
    assert i18n.lang_of(_Request({"lang": "en"}, {"accept-language": "es-ES"})) == "en"
    assert i18n.lang_of(_Request(headers={"accept-language": "fr-FR,es;q=0.5"})) == "en"
    assert i18n.lang_of(_Request()) == "en" and i18n.lang_of() == "en"


def test_server_messages_follow_the_request(monkeypatch):
    from gradio.context import LocalContext

    from tabs import feedback, rating

    token = LocalContext.request.set(_Request({"lang": "es"}))
    try:
        assert rating.submit(None, 4, "") == "Aún no hay nada que valorar: genera algo primero."
        import pytest

        with pytest.raises(gr.Error) as e:
            feedback.export("csv", "secret", "wrong")
        assert e.value.message == "Escribe la contraseña de administración para exportar las valoraciones."
        from tabs.common import user_errors

        @user_errors
        def bad():
            raise ValueError("Pick a rating from 1 to 5 first.")

        with pytest.raises(gr.Error) as e:
            bad()
        assert e.value.message == "Elige primero una valoración del 1 al 5."
    finally:
        LocalContext.request.reset(token)
    assert rating.submit(None, 4, "") == rating.NOTHING_YET == "Nothing to rate yet: generate something first."


# ---------------------------------------------------------------- the models' "how it works" notes

def _fields(template: str) -> list[tuple[str, str]]:
    import string

    return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None)


def test_every_piece_of_a_model_note_has_spanish_with_the_same_fields():
    """Each English piece (``NOTES``) has a Spanish text of the same name in ``tabs/strings.py``:
    the same {fields} (and formats), the same leading space (it joins the paragraph before) and bold."""
    import importlib

    from playground.images import explanations as image_notes
    from tabs import strings

    text_notes = importlib.import_module("playground.text.explain")
    for english, spanish in ((image_notes.NOTES, strings.IMAGE_NOTES_ES), (text_notes.NOTES, strings.TEXT_NOTES_ES)):
        assert set(spanish) == set(english)
        for name, en in english.items():
            es = spanish[name]
            assert _fields(es) == _fields(en), name
            assert es.startswith(" ") == en.startswith(" ") and es.count("**") == en.count("**"), name
            assert es != en, name


def test_the_spanish_note_of_every_image_model_is_all_spanish():
    from gradio.context import LocalContext

    from playground.images import catalog, explanations
    from tabs import explanations as notes
    from tabs import images

    infos = catalog.models()
    assert {i.model_type for i in infos} >= {"gan", "vae", "diffusion"}
    for info in infos:
        en, es = notes.image(info, "en"), notes.image(info, "es")
        assert en == explanations.explain_config({"model_type": info.model_type, **info.facts}) and en
        assert es != en and es.count("\n\n") == en.count("\n\n"), info.name
        pieces = explanations.paragraphs({"model_type": info.model_type, **info.facts})
        left = [name for name, values in pieces if explanations.NOTES[name].format(**values).strip() in es]
        assert not left, f"{info.name}: English pieces in the Spanish note: {left}"
    token = LocalContext.request.set(_Request({"lang": "es"}))  # the page's handler, in a Spanish request
    try:
        assert images.note(infos[0].name) == notes.image(infos[0], "es")
        assert images.pick_model(infos[0].name, 0, images.ANY, 1, False, 0.0)[2] == notes.image(infos[0], "es")
    finally:
        LocalContext.request.reset(token)
    assert images.note(infos[0].name) == notes.image(infos[0], "en") and images.note("/nowhere") == ""


def test_the_text_model_note_follows_the_request():
    import importlib

    from gradio.context import LocalContext

    from playground import config
    from playground import text as tx
    from tabs import text

    tm = tx.load(config.DEFAULT_TEXT_MODEL)
    en = text.about(config.DEFAULT_TEXT_MODEL)
    assert en == tx.explain(tm) and "nats per character" in en
    token = LocalContext.request.set(_Request({"lang": "es"}))
    try:
        es = text.about(config.DEFAULT_TEXT_MODEL)
    finally:
        LocalContext.request.reset(token)
    assert "nats por carácter" in es and tm.name in es
    english = importlib.import_module("playground.text.explain").NOTES
    assert not [n for n, values in importlib.import_module("playground.text.explain").paragraphs(tm)
                if english[n].format(**values).strip() in es]


def test_every_music_model_note_is_a_translated_page_string():
    from playground import music
    from tabs import explanations

    for info in music.models():
        note = explanations.music(info.path)
        assert isinstance(note, I18nData), f"{info.name}'s note has no Spanish (add it to tabs/strings.MUSIC_NOTES)"
        assert i18n.table()[note.key]["es"] != i18n.table()[note.key]["en"]
