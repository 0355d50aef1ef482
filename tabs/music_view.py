"""What the Music tab shows about one output: summary, voice-leading report, note list, next-note chart.

    describe(g); report_markdown(g); note_list(g)     # text under the audio and the piano roll
    next_note_chart(g, "alto", beat=3.5)              # HTML bar chart (tabs.charts) of the harmoniser's choice

Plain functions of a ``Generation`` (no Gradio events here); ``tabs/music.py`` wires them.
"""
from __future__ import annotations

from pathlib import Path

from playground import music
from playground.generation import Generation
from playground.music.notes import REST, STEPS_PER_BEAT, VOICES, midi_to_note
from tabs.charts import probability_bars
from tabs.i18n import english, say, sentence

CHART_TITLE = english("music.chart_title")
CHART_EMPTY = english("music.chart_empty")


def describe(g: Generation) -> str:
    """One paragraph under the outputs: what was made, from which model and seed, which synth played."""
    voices = g.output["voices"]
    bars = max((s + n for notes in voices.values() for _, s, n in notes), default=0) / 16
    counts = ", ".join(f"{len(voices[v])} {say(f'voice.{v}').lower()}" for v in VOICES)
    p = g.params
    extra = ""
    if p["mode"] == "harmonise" and "coconet" in g.model:
        extra = say("music.gibbs_extra", steps=p.get("steps", 32), lock=say("music.on" if p.get("key_lock") else "music.off"))
    sound = g.media.get("sound")
    mode = say(f"music.{p['mode']}_mode") if p["mode"] in ("continue", "harmonise") else p["mode"].capitalize()
    return (say("music.describe", mode=mode, bars=bars, tempo=p["tempo"], counts=counts, model=g.model,
                hash=g.model_hash, seed=p["seed"], temperature=p["temperature"], extra=extra)
            + ("\n\n" + say("music.sound_used", sound=sound) if sound else ""))


def report_markdown(g: Generation) -> str:
    """The voice-leading report as a short Markdown list (what a music class would check)."""
    lines = music.voice_report(g).summary()
    if g.params["mode"] == "harmonise":
        lines = [sentence(line) + say("music.your_melody") if line.startswith("The soprano leaves")
                 else sentence(line) for line in lines]
    else:
        lines = [sentence(line) for line in lines]
    return say("music.report") + "\n" + "\n".join(f"- {line}" for line in lines) + "\n\n" + say("music.parallels_note")


def _line(notes: list[list[int]]) -> str:
    """One voice in the notation of the Notes box (C5:2 = two beats, R = rest), rests between notes."""
    out, t = [], 0
    for pitch, start, n in notes:
        if start > t:
            out.append(f"R:{(start - t) / STEPS_PER_BEAT:g}")
        beats = n / STEPS_PER_BEAT
        out.append(midi_to_note(pitch) + ("" if beats == 1 else f":{beats:g}"))
        t = start + n
    return " ".join(out) or say("music.silent")


def note_list(g: Generation | None) -> str:
    """Every voice as typed notes: a text version of the piano roll (and a line to paste back in)."""
    if g is None:
        return ""
    return "\n".join(f"{say(f'voice.{v}')}: {_line(g.output['voices'][v])}" for v in VOICES)


def beats(g: Generation | None) -> float:
    """The last beat a step can be picked at (1 = the first beat, quarter-beat resolution)."""
    if g is None:
        return 1.0
    steps = max((s + n for notes in g.output["voices"].values() for _, s, n in notes), default=1)
    return 1 + (steps - 1) / STEPS_PER_BEAT


def next_note_chart(g: Generation | None, voice: str, beat: float,
                    harmoniser: str | Path = music.HARMONISER) -> str:
    """For ``voice`` at ``beat``: the harmoniser's probabilities given every other note, the output's note marked."""
    if g is None:
        return probability_bars([], title=say("music.chart_title"), empty=say("music.chart_empty"),
                                 header=say("chart.note"))
    v = VOICES.index(str(voice).lower()) if str(voice).lower() in VOICES else 1
    grid = music.grid_of(g)
    step = min(max(0, round((float(beat or 1) - 1) * STEPS_PER_BEAT)), len(grid) - 1)
    if music.missing_message(harmoniser):
        return probability_bars([], title=say("music.chart_title"), empty=say("music.no_coconet"),
                                 header=say("chart.note"))
    key_lock = bool(g.params.get("key_lock")) and g.params["mode"] == "harmonise"
    items, chosen = music.next_notes(music.load(harmoniser), grid, v, step, key_lock=key_lock)
    here = say("music.rests") if grid[step, v] == REST else say("music.sings", note=midi_to_note(int(grid[step, v])))
    bar, beat = divmod(step, STEPS_PER_BEAT * 4)
    place = say("music.where", bar=bar + 1, beat=f"{1 + beat / STEPS_PER_BEAT:g}")
    title = (say("music.chart_at", voice=say(f"voice.{VOICES[v]}"), where=place, here=here)
             + (say("music.chart_key_lock") if key_lock else ""))
    return probability_bars(items, chosen=chosen, title=title, header=say("chart.note"))
