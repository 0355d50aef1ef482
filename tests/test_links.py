"""The link query string: round trips for every modality, and hostile input never raises."""
from __future__ import annotations

import random
import string

import pytest

from playground import links, registry
from playground.links import BAD, LinkState, build_query, parse_query

TEXT = {"prompt": "ROMEO:\nO", "length": 200, "temperature": 0.8, "top_k": 0, "top_p": 1.0, "seed": 7}


def test_a_text_link_is_short_readable_and_round_trips():
    q = build_query("text", "text-shakespeare", "3d41da31ae27", TEXT)
    assert q == ("tab=text&model=text-shakespeare&hash=3d41da31ae27&prompt=ROMEO%3A%0AO&length=200"
                 "&temperature=0.8&top_k=0&top_p=1&seed=7")
    state = parse_query(q)
    assert (state.tab, state.model, state.hash, state.params, state.notices) == \
        ("text", "text-shakespeare", "3d41da31ae27", TEXT, [])
    assert state.reproduce and parse_query("?" + q) == state
    assert parse_query(dict(pair.split("=") for pair in "tab=text&seed=7".split("&"))).params["seed"] == 7


@pytest.mark.parametrize("tab, params", [
    ("images", {"seed": 5, "n": 4, "label": 3, "amounts": [1.5, 0.0, -2.0], "like": 0.0, "smooth": True}),
    ("music", {"mode": "harmonise", "source": "chorale", "notes": "", "chorale": 2, "midi": None, "bars": 4,
               "temperature": 0.9, "tempo": 100.0, "seed": 11}),
])
def test_image_and_music_links_round_trip_through_their_params(tab, params):
    q = build_query(tab, "m", "abcdef123456", params)
    state = parse_query(q)
    modality = links.TABS[tab]
    assert state.params == registry.get(modality).Params.from_dict(params).to_dict()
    assert state.tab == tab and not state.notices


def test_lists_are_comma_separated_without_unmoved_sliders():
    q = build_query("images", "gan-digits", "77c55aa361eb",
                    {"seed": 3, "n": 64, "label": None, "amounts": [1.0, 0.0, -2.5, 0.0, 0.0], "like": 0.0,
                     "smooth": False})
    assert "amounts=1,0,-2.5&" in q and "label" not in q
    assert parse_query(q).params["amounts"] == [1.0, 0.0, -2.5]


def test_present_hide_and_tab_alone():
    state = parse_query("present=1&hide=temperature,top_k,Top_K,<b>,&tab=music")
    assert state.present and state.hide == ["temperature", "top_k"] and state.tab == "music"
    assert not state.reproduce and not state.notices
    assert parse_query("tab=image").tab == "images"
    assert parse_query("present=0").present is False


def test_a_file_path_never_travels_in_a_link():
    q = build_query("music", "m", None, {"source": "midi", "midi": "/etc/passwd"})
    assert "passwd" not in q and "midi=" not in q
    state = parse_query("tab=music&source=midi&midi=/etc/passwd")
    assert state.params == {} and state.notices and "passwd" not in state.notices[0]


def test_unknown_keys_are_ignored_quietly():
    state = parse_query("tab=text&seed=3&__theme=dark&utm_source=mail")
    assert state.params["seed"] == 3 and not state.notices


@pytest.mark.parametrize("query", [
    "tab=nope",
    "tab=text&temperature=hot",
    "tab=text&length=3.5",
    "tab=text&temperature=nan",
    "tab=text&seed=1e999",
    "tab=text&seed=-1",
    "tab=text&seed=" + "9" * 5000,
    "tab=text&prompt=" + "a" * 20_000,
    "tab=text&seed=1&seed=2",
    "tab=text&prompt=%00%01",
    "tab=text&prompt=%ff%fe",
    "tab=text&model=<script>alert(1)</script>",
    "tab=text&hash=zz<b>",
    "tab=images&amounts=1,2,x",
    "tab=images&amounts=" + ",".join(["1"] * 50),
    "tab=music&mode=<img src=x onerror=alert(1)>",
    "tab=music&notes=H9 Q2",
    "tab=images&smooth=maybe",
])
def test_hostile_queries_fall_back_to_defaults_with_one_plain_notice(query):
    state = parse_query(query)
    assert isinstance(state, LinkState)
    assert state.params == {} and not state.reproduce
    assert len(state.notices) == 1 and state.notices[0].startswith(BAD)
    assert len(state.notices[0]) < 400


def test_a_prompt_that_looks_like_html_is_just_text():
    state = parse_query("tab=text&prompt=%3Cimg%20src%3Dx%20onerror%3Dwindow.__x%3D1%3E")
    assert state.params["prompt"] == "<img src=x onerror=window.__x=1>" and not state.notices


def test_a_repeated_key_with_the_same_value_is_fine():
    assert parse_query("tab=text&seed=4&seed=4").params["seed"] == 4


def test_nothing_is_nothing():
    for empty in ("", "?", None, {}):
        assert parse_query(empty) == LinkState()


def test_random_junk_never_raises():
    rng = random.Random(13)
    keys = list(links.RESERVED) + ["prompt", "seed", "length", "temperature", "amounts", "mode", "notes", "n", "x"]
    alphabet = string.printable + "\u00e9\u4e2d\U0001f600\u202e\ufffd\x00%&=?#"
    for _ in range(400):
        parts = [f"{rng.choice(keys)}={''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))}"
                 for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.5:
            parts.insert(0, f"tab={rng.choice(['text', 'images', 'music', 'feedback', 'x', ''])}")
        for query in ("&".join(parts), dict(p.split("=", 1) for p in parts)):
            state = parse_query(query)
            assert isinstance(state, LinkState) and len(state.notices) <= 1
            assert state.tab in (None, *links.TABS)


def test_the_tab_layer_escapes_notices_and_names_changed_weights():
    from types import SimpleNamespace

    from playground.generation import Generation
    from tabs import links as tab_links

    shown = tab_links.plain("<img src=x onerror=alert(1)> *bold* [a](b)")
    assert "<" not in shown and "\\*bold\\*" in shown and "\\[a\\]" in shown
    link = parse_query("tab=text&model=text-shakespeare&hash=000000000000&seed=1")
    same = Generation("text", "text-shakespeare", "000000000000", {}, "")
    changed = Generation("text", "text-shakespeare", "3d41da31ae27", {}, "")
    assert tab_links.check("text", link, same) == ""
    assert "weights 000000000000" in tab_links.check("text", link, changed)
    queue = "http://h:1/gradio_api/queue/join?tab=text"
    req = SimpleNamespace(headers={"referer": "http://h:1/app/?tab=x#top"}, url=queue)
    assert tab_links.page_url(req) == "http://h:1/app/"
    assert tab_links.page_url(SimpleNamespace(headers={}, url=queue)) == "http://h:1/"
    assert tab_links.read(SimpleNamespace(headers={}, url=queue)).tab == "text"
