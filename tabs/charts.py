"""Probability charts as plain HTML: a horizontal bar per label, its length the probability.

Used for next-token (Text tab), next-note (Music tab) and similar distributions. Plain HTML rather
than ``gr.BarPlot``: the bars must be *lengths proportional to the probability*, read top-down in
order, and accessible. Scale: each bar sits in a track that stands for probability 1.0, and its
CSS width is ``100 * p`` percent of that track, so p = 0.5 fills exactly half of it (the scale is
absolute, not relative to the largest bar, so charts of different steps compare directly).

The chart is a real ``<table>`` with a ``<caption>``: a screen reader reads "label, 63.7 %"; the
bars are decorative (``aria-hidden``). Text uses Gradio's theme colours (light and dark mode); the
chosen row is bold and says "◀ chosen" in words, not by colour alone. Every label is escaped.
"""
from __future__ import annotations

import html

__all__ = ["probability_bars", "probability_rows"]

_BAR = "#3b82f6"  # decorative (numbers are printed too); >= 3:1 on the light and the dark track
_TEXT = "color:var(--body-text-color, #1f2937)"
_TRACK = ("flex:1 1 auto;min-width:4rem;height:1.1em;position:relative;"
          "background:var(--background-fill-secondary, transparent);"
          "outline:1px solid var(--border-color-primary, #9ca3af)")


def probability_rows(items: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """``items`` sorted by probability, highest first (ties keep their order); p clamped to [0, 1]."""
    rows = [(str(label), min(max(float(p), 0.0), 1.0)) for label, p in items]
    return sorted(rows, key=lambda r: -r[1])


def _percent(p: float) -> str:
    return "< 0.1 %" if 0 < p < 0.0005 else f"{100 * p:.1f} %"


def probability_bars(items: list[tuple[str, float]], chosen: str | None = None,
                     title: str | None = None, empty: str | None = None, *, header: str | None = None,
                     lang: str | None = None) -> str:
    """Safe HTML for a horizontal bar chart of ``items`` (label, probability).

    ``chosen``: the label drawn or picked from this distribution; its first row is marked
    (bold and "◀ chosen"). If it is not among ``items`` the caption says so. ``header``: the
    label column's heading (e.g. "Note" on the Music tab). The chart's own words (defaults: "Next-token
    probabilities", "Token", "Probability", "◀ chosen") are in ``lang`` (default: the request's).
    """
    from tabs.i18n import say

    esc = html.escape
    title = say("chart.title", lang) if title is None else title
    if not items:
        empty = say("chart.generate_first", lang) if empty is None else empty
        return (f'<div class="prob-chart prob-chart-empty" style="{_TEXT}">'
                f"<p><strong>{esc(title)}</strong></p><p>{esc(empty)}</p></div>")
    rows = probability_rows(items)
    marked = next((i for i, (label, _) in enumerate(rows) if chosen is not None and label == chosen), None)
    header = say("chart.token", lang) if header is None else header
    caption = esc(title) + esc(say("chart.scale", lang))
    if chosen is not None and marked is None:
        caption += say("chart.not_shown", lang, chosen=esc(chosen), n=len(rows))
    out = [f'<table class="prob-chart" style="width:100%;border-collapse:collapse;{_TEXT}">',
           f'<caption style="text-align:left;font-weight:600;padding-bottom:0.4em;{_TEXT}">{caption}</caption>',
           f'<thead><tr><th scope="col" style="text-align:left;padding:2px 8px 2px 0">{esc(header)}</th>'
           '<th scope="col" style="text-align:left;padding:2px 0">' + esc(say("chart.probability", lang)) +
           '</th></tr></thead><tbody>']
    chosen_mark = esc(say("chart.chosen", lang))
    for i, (label, p) in enumerate(rows):
        is_chosen = i == marked
        weight = "font-weight:700;" if is_chosen else "font-weight:400;"
        mark = f' <span class="prob-chosen">{chosen_mark}</span>' if is_chosen else ""
        flag = ' data-chosen="true"' if is_chosen else ""
        out.append(
            f'<tr class="prob-row{" prob-row-chosen" if is_chosen else ""}" data-token="{esc(label, quote=True)}"'
            f' data-prob="{p:.6f}"{flag} style="{weight}">'
            f'<th scope="row" style="text-align:left;padding:2px 8px 2px 0;white-space:pre;{weight}">'
            f'<code class="prob-label" style="{_TEXT}">{esc(label)}</code>{mark}</th>'
            f'<td style="width:100%;padding:2px 0"><div style="display:flex;align-items:center;gap:8px">'
            f'<div class="prob-track" aria-hidden="true" style="{_TRACK}">'
            f'<div class="prob-bar" style="width:{100 * p:.2f}%;height:100%;background:{_BAR}"></div></div>'
            f'<span class="prob-value" style="min-width:4.5em;text-align:right;white-space:nowrap;{_TEXT}">'
            f"{esc(_percent(p))}</span></div></td></tr>")
    out.append("</tbody></table>")
    return "".join(out)
