"""Links that reproduce an output: the whole state lives in the URL's query string.

    q = build_query("text", "text-shakespeare", "3d41da31ae27", {"prompt": "ROMEO:", "seed": 7})
    # -> "tab=text&model=text-shakespeare&hash=3d41da31ae27&prompt=ROMEO%3A&seed=7"
    state = parse_query(q)            # or parse_query({"tab": "text", ...}) (gr.Request.query_params)
    state.params                      # every field of playground.text.Params, validated

Nothing is stored on the server, so a link still works after a restart on a fresh machine.
Extra keys: ``present=1`` (presenter mode), ``hide=temperature,top_k`` (controls to hide).
A bad or tampered query never raises: it falls back to defaults with one plain-text notice.
No gradio here; ``tabs.links`` puts this on the page.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode

from playground import registry

TABS = {"text": "text", "images": "image", "music": "music", "feedback": None}  # tab id -> modality
TAB_ALIASES = {"image": "images"}
RESERVED = ("tab", "model", "hash", "present", "hide")
NEVER = ("midi",)  # file paths never travel in a link (a visitor must not name files on the server)
MAX_QUERY_CHARS = 8_000  # far more than a 2,000-character prompt, well under what servers accept
MAX_HIDE = 40
NAME_RE = re.compile(r"[A-Za-z0-9_.\-]{1,100}")
HASH_RE = re.compile(r"[0-9a-f]{4,64}")
HIDE_RE = re.compile(r"[a-z_][a-z0-9_]{0,39}")
BAD = "This link could not be read, so the page shows its usual settings."


@dataclass
class LinkState:
    """What a link asks for. ``params`` is empty unless the link carries a valid set for ``tab``."""

    tab: str | None = None  # a tab id of TABS
    model: str | None = None
    hash: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # the modality's Params.to_dict()
    present: bool = False
    hide: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # plain text, at most one from parsing

    @property
    def reproduce(self) -> bool:
        """True when opening the link should make the output again."""
        return bool(self.params)


def _text(value: Any) -> str:
    """A value as it goes into the URL: numbers short (1 not 1.0), lists comma-separated."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if math.isfinite(value) and value == int(value) else repr(value)
    if isinstance(value, (list, tuple)):
        values = list(value)
        while values and values[-1] == 0:  # unmoved sliders at the end say nothing
            values.pop()
        return ",".join(_text(v) for v in values)
    return str(value)


def build_query(tab: str, model_name: str | None, model_hash: str | None, params: Mapping[str, Any]) -> str:
    """The query string (no leading "?") that reopens ``tab`` and makes the same output."""
    pairs = [("tab", tab)] + [(k, v) for k, v in (("model", model_name), ("hash", model_hash)) if v]
    for key, value in params.items():
        if key in RESERVED or key in NEVER or value is None or value == "":
            continue
        pairs.append((key, _text(value)))
    return urlencode(pairs, safe=",")


def _pairs(query: Mapping[str, Any] | str | None) -> list[tuple[str, str]]:
    if query is None:
        return []
    if isinstance(query, str):
        if len(query) > MAX_QUERY_CHARS:
            raise ValueError("too long")
        return parse_qsl(query.lstrip("?"), keep_blank_values=True, errors="replace")
    pairs = [(str(k), v if isinstance(v, str) else str(v)) for k, v in dict(query).items()]
    if sum(len(k) + len(v) for k, v in pairs) > MAX_QUERY_CHARS:
        raise ValueError("too long")
    return pairs


def _clean(value: str) -> str:
    """``value`` if it holds no control characters (newlines and tabs are fine) or broken bytes."""
    for ch in value:
        if ch in "\n\r\t":
            continue
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            raise ValueError("control character")
    return value


def _split(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """One value per key; a key given twice with different values is a tampered link."""
    out: dict[str, str] = {}
    for key, value in pairs:
        if key in out and out[key] != value:
            raise ValueError(f"'{key}' repeated")
        out[key] = _clean(value)
    return out


def _tab(raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    tab = TAB_ALIASES.get(raw.strip().lower(), raw.strip().lower())
    if tab not in TABS:
        raise ValueError("unknown tab")
    return tab


def _params(tab: str | None, values: dict[str, str]) -> dict[str, Any]:
    """The validated Params of ``tab``'s modality from the link's values; {} when it carries none."""
    modality = TABS.get(tab) if tab else None
    if modality is None:
        return {}
    params_cls = registry.get(modality).Params
    given = {k: v for k, v in values.items() if k not in RESERVED and k not in NEVER}
    names = {f for f in params_cls.__dataclass_fields__} | set(getattr(params_cls, "ALIASES", {}))
    given = {k: v for k, v in given.items() if k in names}
    if not given:
        return {}
    return params_cls.from_dict(given).to_dict()


def _hide(raw: str | None) -> list[str]:
    names = [n.strip().lower() for n in (raw or "").split(",")[:MAX_HIDE]]
    return [n for n in dict.fromkeys(names) if HIDE_RE.fullmatch(n)]


def _parse(values: dict[str, str]) -> LinkState:
    state = LinkState(tab=_tab(values.get("tab")))
    state.present = values.get("present", "").strip().lower() in ("1", "true", "yes", "on")
    state.hide = _hide(values.get("hide"))
    model, digest = values.get("model", ""), values.get("hash", "").lower()
    if (model and not NAME_RE.fullmatch(model)) or (digest and not HASH_RE.fullmatch(digest)):
        raise ValueError("bad model")
    state.model, state.hash = model or None, digest or None
    state.params = _params(state.tab, values)
    return state


def parse_query(query: Mapping[str, Any] | str | None) -> LinkState:
    """Read a link's query string (text, or a dict such as ``gr.Request.query_params``).

    Never raises: anything unreadable (an unknown tab, a bad number, a repeated key, control
    characters, a huge string) gives the defaults and one plain-text notice. Keys the app does
    not use (e.g. Gradio's ``__theme``) are ignored; so are names in ``hide`` that no tab has.
    """
    try:
        values = _split(_pairs(query))
    except (ValueError, TypeError, UnicodeError):
        return LinkState(notices=[BAD])
    if not values:
        return LinkState()
    try:
        return _parse(values)
    except (ValueError, TypeError, OverflowError, RecursionError) as e:
        return _fallback(values, e)


def _fallback(values: dict[str, str], error: Exception) -> LinkState:
    """Keep what is still safe (tab, presenter mode, hidden controls); drop the rest, with one notice."""
    state = LinkState(notices=[BAD + _reason(error)])
    try:
        state.tab = _tab(values.get("tab"))
    except ValueError:
        pass
    state.present = values.get("present", "").strip().lower() in ("1", "true", "yes", "on")
    state.hide = _hide(values.get("hide"))
    return state


def _reason(error: Exception) -> str:
    """The validation sentence of a bad parameter (plain text, already free of the raw value's length)."""
    msg = str(error)
    if not msg or not msg.endswith(".") or len(msg) > 200:
        return ""
    return f" ({msg.rstrip('.')}.)"
