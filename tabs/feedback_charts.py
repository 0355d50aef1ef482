"""The Feedback tab's leaderboard chart (Bradley-Terry strength with 95 % intervals), the quality of
each lineage over time, and the sentence the teacher can read out.

    table, chart, said, over = leaderboard("text")   # what the "Leaderboard" section shows

The table is the chart's text alternative: the same rows, numbers included. Colours keep a
contrast of at least 4.5:1 against the white background (``COLOURS``); every axis is labelled
in the reader's language.
"""
from __future__ import annotations

import gradio as gr
import pandas as pd

from playground import feedback, lineage, progress
from tabs import compare
from tabs.i18n import say, sentence, t

# contrast on white: 6.7, 6.1, 6.2, 7.0, 5.9, 12.6 (WCAG relative luminance)
COLOURS = ["#0B5CAD", "#A34700", "#00704A", "#7B3F98", "#C2185B", "#333333"]
MARKERS = ["o", "s", "^", "D", "v", "P"]  # with LINES: tells the versions of one lineage apart
LINES = ["-", "--", ":", "-."]


def _figure(width: float, height: float):
    from matplotlib.figure import Figure  # no pyplot: safe in server threads; imported on first use

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def error_bars(frame: pd.DataFrame):
    """One row per version, strongest at the top: a point at its strength and a bar for its interval."""
    fig = _figure(7.5, 1.2 + 0.5 * max(len(frame), 1))
    ax = fig.add_subplot()
    if frame.empty:
        ax.text(0.5, 0.5, say("board.empty"), ha="center", va="center", transform=ax.transAxes, color="#333333")
        ax.set_axis_off()
        return fig
    rows = frame.sort_values("strength", ascending=False).reset_index(drop=True)
    y = list(range(len(rows)))[::-1]  # first row (strongest) on top
    ax.errorbar(rows["strength"], y, xerr=[rows["strength"] - rows["low"], rows["high"] - rows["strength"]],
                fmt="o", color=COLOURS[0], ecolor=COLOURS[0], elinewidth=2.5, capsize=5, markersize=8)
    ax.axvline(0, color="#6b6b6b", lw=1, ls="--")
    ax.set_yticks(y, [say("board.tick_one" if n == 1 else "board.tick", model=m, votes=int(n))
                   for m, n in zip(rows["model"], rows["votes"])])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(say("board.strength_axis"), color="#1a1a1a")
    ax.set_title(say("board.chart_title"), color="#1a1a1a", fontsize=11)
    ax.tick_params(colors="#1a1a1a")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    return fig


def over_time(p: dict):
    """Two panels over the same time buckets: Bradley-Terry strength (cumulative votes) and mean rating,
    one line per version, one colour per lineage."""
    fig = _figure(9, 5.6)
    top, bottom = fig.subplots(2, 1, sharex=True)
    times = sorted({r["time"] for r in p["strength"] + p["rating"]})
    if not times:
        top.text(0.5, 0.5, say("board.progress_empty"), ha="center", va="center", transform=top.transAxes)
        top.set_axis_off()
        bottom.set_axis_off()
        return fig
    x = {tm: i for i, tm in enumerate(times)}
    lineages = sorted({r["lineage"] for r in p["strength"] + p["rating"]})
    members = {root: sorted({r["model"] for r in p["strength"] + p["rating"] if r["lineage"] == root},
                            key=lambda m: (m != root, m)) for root in lineages}  # the root first
    styles = {m: (COLOURS[i % len(COLOURS)], MARKERS[j % len(MARKERS)], LINES[j % len(LINES)])
              for i, root in enumerate(lineages) for j, m in enumerate(members[root])}
    for ax, key, rows in ((top, "strength", p["strength"]), (bottom, "mean", p["rating"])):
        for model in sorted({r["model"] for r in rows}):
            mine = [r for r in rows if r["model"] == model]
            colour, marker, line = styles[model]
            root = mine[0]["lineage"]
            ax.plot([x[r["time"]] for r in mine], [r[key] for r in mine], color=colour, marker=marker, ls=line, lw=2,
                    label=model if root == model else say("board.in_lineage", model=model, lineage=root))
        ax.grid(color="#dddddd", lw=0.6)
        ax.tick_params(colors="#1a1a1a")
    top.set_ylabel(say("board.strength_short"), color="#1a1a1a")
    bottom.set_ylabel(say("board.rating_axis"), color="#1a1a1a")
    bottom.set_ylim(0.8, 5.2)
    bottom.set_xlabel(say("board.time_axis"), color="#1a1a1a")
    bottom.set_xticks(range(len(times)), times, rotation=30, ha="right", fontsize=8)
    top.set_title(say("board.progress_title"), color="#1a1a1a", fontsize=11)
    for ax in (top, bottom):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


def read_out(p: dict, learned: dict[str, dict]) -> str:
    """One sentence per version that has met its parent in blind votes, computed from the data."""
    lines = []
    for r in sorted(p["vs_parent"], key=lambda r: -r["games"]):
        rated = learned.get(r["model"], {}).get("ratings")
        key = "board.learned" if isinstance(rated, int) else "board.after"
        lines.append(say(key, ratings=rated if isinstance(rated, int) else p["ratings"], model=r["model"],
                         rate=round(100 * r["rate"]), games=r["games"], parent=r["parent"]))
    return "\n\n".join(lines) or say("board.no_parent_votes")


def leaderboard(modality: str):
    """(table, error-bar chart, sentence, over-time chart) of ``modality``'s versions."""
    try:
        known = lineage.versions(modality)
    except ValueError as e:
        raise gr.Error(sentence(str(e))) from None
    table = compare.board(modality)  # the compare view's own data function: one leaderboard
    p = progress.progress(feedback.default_store(), modality, {v.name: v.parent for v in known})
    shown = table.rename(columns={c: say(f"feedback.col.{c}") for c in table.columns})  # headings: reader's language
    return shown, error_bars(table), read_out(p, {v.name: v.learned_from for v in known}), over_time(p)


def after_vote(modality: str):
    """The leaderboard of the modality just voted on, with the radio set to it."""
    return (modality, *leaderboard(modality))


def build():
    """The leaderboard section; returns its modality radio and outputs (so a vote can refresh them)."""
    which = gr.Radio(compare.MODALITIES, value="text", label=t("board.of"), elem_id="leaderboard-of")
    said = gr.Markdown(elem_id="leaderboard-said")
    table = gr.Dataframe(label=t("compare.board"), interactive=False, elem_id="leaderboard-table")
    # the figures carry their own titles; the labels stay for screen readers (the badge would cover the title)
    chart = gr.Plot(label=t("board.chart_label"), show_label=False, format="png", elem_id="leaderboard-chart")
    over = gr.Plot(label=t("board.progress_label"), show_label=False, format="png", elem_id="leaderboard-progress")
    outputs = [table, chart, said, over]
    which.input(leaderboard, which, outputs, api_name="leaderboard", concurrency_limit=4)
    return which, outputs
