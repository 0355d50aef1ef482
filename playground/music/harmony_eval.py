"""The harmoniser's measured goals: Bach's test chorales and the model's outputs, side by side.

    python -m playground.music.harmony_eval --model assets/models/music-coconet \
        --data ../shared/data/jsb-chorales --out runs/harmony-eval.json [--nll] [--quick]

- **Simple diatonic melodies** (``MELODIES``: folk tunes, hymns and scales in major and minor
  keys), each harmonised with several seeds, with and without the key lock: notes of the
  alto, tenor and bass in the melody's key, parallel fifths/octaves per pair of voices that
  both move, notes outside the SATB ranges, crossings per step.
- **Bach's test-split sopranos** harmonised by the model: the same figures, and how often the
  model's alto, tenor and bass sound Bach's own notes (per 16th step).
- **Bach's test chorales** themselves: the same figures, the reference.
- ``--nll``: the exact chronological NLLs on the test split, of all four voices and of Bach's
  alto, tenor and bass given his soprano (slow: one pass per note); ``--update-card`` adds them
  and the goal figures to the model card.
- Latency of harmonising 8 bars per Gibbs step count (the quality figures per step count too).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from playground.card import read_card, write_card
from playground.music.coconet import DEFAULT_STEPS, Coconet, card_body, harmonise, likelihoods, load
from playground.music.data import load_split
from playground.music.notes import Score, parse_melody
from playground.music.voice_leading import melody_key, report
from playground.timing import row, table, timed

MELODIES = {  # name: (notes as typed in the Music tab, key)
    "Twinkle, Twinkle": ("C5 C5 G5 G5 A5 A5 G5:2 F5 F5 E5 E5 D5 D5 C5:2", "C major"),
    "G major scale": ("G4 A4 B4 C5 D5 E5 F#5 G5:2 F#5 E5 D5 C5 B4 A4 G4:2", "G major"),
    "Ode to Joy": ("A4 A4 Bb4 C5 C5 Bb4 A4 G4 F4 F4 G4 A4 A4:1.5 G4:0.5 G4:2 "
                   "A4 A4 Bb4 C5 C5 Bb4 A4 G4 F4 F4 G4 A4 G4:1.5 F4:0.5 F4:2", "F major"),
    "Frère Jacques": ("G4 A4 B4 G4 G4 A4 B4 G4 B4 C5 D5:2 B4 C5 D5:2 D5:0.5 E5:0.5 D5:0.5 C5:0.5 B4 G4 "
                      "D5:0.5 E5:0.5 D5:0.5 C5:0.5 B4 G4 G4 D4 G4:2 G4 D4 G4:2", "G major"),
    "Mary Had a Little Lamb": ("D5 C5 Bb4 C5 D5 D5 D5:2 C5 C5 C5:2 D5 F5 F5:2 "
                               "D5 C5 Bb4 C5 D5 D5 D5 D5 C5 C5 D5 C5 Bb4:4", "Bb major"),
    "Greensleeves": ("A4 C5:2 D5 E5:1.5 F5:0.5 E5 D5:2 B4 G4:1.5 A4:0.5 B4 C5:2 A4 A4:1.5 G#4:0.5 A4 B4:2 "
                     "G#4 E4:2 A4 C5:2 D5 E5:1.5 F5:0.5 E5 D5:2 B4 G4:1.5 A4:0.5 B4 C5:1.5 B4:0.5 A4 "
                     "G#4:1.5 F#4:0.5 G#4 A4:3", "A minor"),
    "D minor song": ("D5 E5 F5 G5 A5:2 F5 D5 E5 C#5 D5:2 A4:2 D5 F5 E5 D5 C#5:2 D5:2", "D minor"),
    "Amazing Grace": ("G4 C5:2 E5:0.5 C5:0.5 E5:2 D5 C5:2 A4 G4:2 G4 C5:2 E5:0.5 C5:0.5 E5:2 D5 G5:3 "
                      "E5 G5:1.5 E5:0.5 G5:0.5 E5:0.5 C5:2 G4 A4:1.5 C5:0.5 C5:0.5 A4:0.5 G4:2 G4 "
                      "C5:2 E5:0.5 C5:0.5 E5:2 D5 C5:3", "C major"),
    "Old Hundredth": ("G4:2 G4 F#4 E4 D4 G4 A4 B4:2 B4 B4 A4 G4 C5 B4 A4:2 "
                      "G4 A4 B4 A4 G4 E4 F#4 G4:2", "G major"),
    "E minor song": ("E5 F#5 G5 A5 B5:2 G5 E5 F#5 D#5 E5:2 B4:2 E5 G5 F#5 E5 D#5:2 E5:2", "E minor"),
    "Happy Birthday": ("C5:0.75 C5:0.25 D5 C5 F5 E5:2 C5:0.75 C5:0.25 D5 C5 G5 F5:2 "
                       "C5:0.75 C5:0.25 C6 A5 F5 E5 D5:2 Bb5:0.75 Bb5:0.25 A5 F5 G5 F5:2", "F major"),
    "A major hymn": ("A4 B4 C#5 D5 E5:2 D5 C#5 B4 A4 B4 C#5 B4:2 A4:2", "A major"),
    "G minor song": ("G4 Bb4 D5 C5 Bb4 A4 G4:2 D5 Eb5 D5 C5 Bb4 A4 G4:2 F#4 G4:2", "G minor"),
}
ATB = (1, 2, 3)


def melody_pitches(text: str) -> np.ndarray:
    """A typed melody as its soprano column on the 16th grid."""
    return Score.from_melody(parse_melody(text)).pitches[:, 0]


def figures(grids: list[np.ndarray]) -> dict[str, float]:
    """Pooled goal figures of four-voice grids: A/T/B notes in the soprano's key, parallels per
    moving pair, A/T/B notes outside their ranges, crossings per step, notes per voice per bar."""
    reps = [report(g, melody_key(g[:, 0])) for g in grids]
    atb = sum(sum(r.notes[v] for v in ATB) for r in reps)
    steps = sum(r.steps for r in reps)
    return {
        "atb_in_melody_key": sum(sum(r.in_key_notes[v] for v in ATB) for r in reps) / max(1, atb),
        "all_in_key_found": float(np.mean([report(g).in_key for g in grids])),
        "parallels_per_moving_pair": sum(len(r.parallels) for r in reps) / max(1, sum(r.moving_pairs for r in reps)),
        "parallel_fifths": sum(r.count("fifths") for r in reps),
        "parallel_octaves": sum(r.count("octaves") for r in reps),
        "atb_out_of_range": sum(len(r.out_of_range[v]) for r in reps for v in ATB) / max(1, atb),
        "crossings_per_step": sum(r.crossing_steps for r in reps) / max(1, steps),
        "atb_notes_per_bar": atb / 3 / max(1, steps / 16),
    }


def match(bach: list[np.ndarray], ours: list[np.ndarray]) -> dict[str, float]:
    """How often the model's A/T/B sound Bach's pitch (and pitch class) at the same 16th step."""
    b = np.concatenate([g[:, 1:] for g in bach])
    o = np.concatenate([g[:, 1:] for g in ours])
    sounding = b >= 0
    return {"atb_same_pitch": float((b == o)[sounding].mean()),
            "atb_same_pitch_class": float(((b % 12) == (o % 12))[sounding].mean()),
            **{f"{v}_same_pitch": float((b[:, i] == o[:, i])[sounding[:, i]].mean())
               for i, v in enumerate(("alto", "tenor", "bass"))}}


def harmonise_all(model: Coconet, melodies: list[np.ndarray], seeds: int, **kw) -> list[np.ndarray]:
    """Every melody harmonised with seeds 0..seeds-1."""
    return [harmonise(model, m, seed=s, **kw) for m in melodies for s in range(seeds)]


def latency(model: Coconet, steps: list[int], repeats: int, seeds: int = 3) -> list[dict]:
    """Time to harmonise 8 bars (Twinkle twice), and the quality at each Gibbs step count."""
    tune = np.concatenate([melody_pitches(MELODIES["Twinkle, Twinkle"][0])] * 2)  # 128 steps = 8 bars
    melodies = [melody_pitches(t) for t, _ in MELODIES.values()]
    rows = []
    for n in steps:
        times = timed(lambda i: harmonise(model, tune, seed=i, steps=n), repeats)
        f = figures(harmonise_all(model, melodies, seeds, steps=n))
        rows.append(row(f"harmonise 8 bars, {n} Gibbs steps", times, goal_ms=1000, gibbs_steps=n,
                        torch_threads=torch.get_num_threads(),
                        atb_in_key=round(f["atb_in_melody_key"], 3),
                        parallels=round(f["parallels_per_moving_pair"], 4),
                        crossings=round(f["crossings_per_step"], 4)))
    return rows


SETTINGS = {  # how each column of "ours" samples (harmonise's defaults, unless overridden)
    "defaults": {},
    "key lock": {"key_lock": True},
    "model alone": {"temperature": 1.0, "guard": 0, "satb": False},  # no guard, no range limits, T = 1
}


def evaluate(model: Coconet, data: str, seeds: int = 3, steps: int = DEFAULT_STEPS, nll: bool = False,
             quick: bool = False) -> dict:
    """All the goal figures as one dict (see the module doc)."""
    test = load_split(data, "test")[: 12 if quick else None]
    sources = {"tunes": ([melody_pitches(t) for t, _ in MELODIES.values()], seeds),
               "Bach's sopranos": ([c[:, 0] for c in test], 1)}
    out = {"split": "test", "chorales": len(test), "tunes": len(MELODIES), "gibbs_steps": steps,
           "seeds_per_tune": seeds, "settings": SETTINGS, "columns": {"Bach (test chorales)": figures(test)}}
    for source, (melodies, n) in sources.items():
        for name, kw in SETTINGS.items():
            grids = harmonise_all(model, melodies, n, steps=steps, **kw)
            extra = match(test, grids) if source == "Bach's sopranos" else {}
            out["columns"][f"ours: {source}, {name}"] = {**figures(grids), **extra}
    if nll:
        out["nll"] = likelihoods(model, test)
    return out


ROWS = [("A/T/B notes in the melody's key (goal >= 0.90)", "atb_in_melody_key"),
        ("all notes in the key found in all voices", "all_in_key_found"),
        ("parallel 5ths+8ves per pair of voices both moving", "parallels_per_moving_pair"),
        ("parallel fifths (count)", "parallel_fifths"), ("parallel octaves/unisons (count)", "parallel_octaves"),
        ("A/T/B notes outside the SATB ranges", "atb_out_of_range"),
        ("crossings per 16th step", "crossings_per_step"), ("A/T/B notes per voice per bar", "atb_notes_per_bar"),
        ("A/T/B at Bach's pitch (share of 16th steps)", "atb_same_pitch"),
        ("A/T/B at Bach's pitch class", "atb_same_pitch_class")]


def markdown(res: dict) -> str:
    """The side-by-side table of ``evaluate``'s result, and the NLLs."""
    cols = res["columns"]
    lines = ["| figure | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for label, k in ROWS:
        lines.append(f"| {label} | " + " | ".join(_num(c.get(k)) for c in cols.values()) + " |")
    lines += ["", f"{res['chorales']} test chorales; {res['tunes']} tunes x {res['seeds_per_tune']} seeds; "
                  f"{res['gibbs_steps']} Gibbs steps; settings: {json.dumps(res['settings'])}."]
    if "nll" in res:
        n = res["nll"]
        lines.append(f"Test split, exact chronological NLL (time, then S A T B): "
                     f"{n['test_nll_per_note_chronological']:.4f} nats per note over {n['test_notes']} notes; "
                     f"Bach's A/T/B given his soprano (time, then A T B): "
                     f"{n['test_atb_given_s_nll_per_note']:.4f} nats per note over {n['test_atb_notes']} notes.")
    return "\n".join(lines) + "\n"


def _num(v: float | int | None) -> str:
    return "" if v is None else str(v) if isinstance(v, int) else f"{v:.4f}"


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="assets/models/music-coconet")
    p.add_argument("--data", default="../shared/data/jsb-chorales")
    p.add_argument("--out", help="write the results as JSON here")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="Gibbs steps")
    p.add_argument("--sweep", default="8,16,32,64", help="Gibbs step counts to time (empty: none)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1: no spin-waiting on a shared CPU)")
    p.add_argument("--nll", action="store_true", help="also the exact chronological test NLLs (slow)")
    p.add_argument("--update-card", action="store_true", help="add the figures to the model's card")
    p.add_argument("--quick", action="store_true", help="12 test chorales only")
    p.add_argument("--latency-only", action="store_true", help="only time harmonising 8 bars (--sweep)")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    model = load(a.model)
    sweep = [int(s) for s in a.sweep.split(",") if s]
    res = {} if a.latency_only else evaluate(model, a.data, a.seeds, a.steps, a.nll, a.quick)
    res["latency"] = latency(model, sweep, repeats=5 if a.quick else 20) if sweep else []
    if not a.latency_only:
        print(markdown(res))
    if res["latency"]:
        print(table("Harmonise 8 bars (model only, no rendering)", res["latency"]))
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(res, indent=1, default=float) + "\n")
    if a.update_card:
        update_card(a.model, res)
    return res


def update_card(path: str, res: dict) -> None:
    """Put the NLLs and the headline goal figures into the model card (card.json and README.md)."""
    card = read_card(path)
    if not card:
        raise ValueError(f"{path} has no model card to update.")
    cols = res["columns"]
    m, s = cols["ours: tunes, defaults"], cols["ours: Bach's sopranos, defaults"]
    card["metrics"].update(res.get("nll", {}))
    bach = cols["Bach (test chorales)"]
    card["metrics"].update({"tunes_atb_in_key": m["atb_in_melody_key"],
                            "tunes_parallels_per_moving_pair": m["parallels_per_moving_pair"],
                            "tunes_crossings_per_step": m["crossings_per_step"],
                            "bach_sopranos_atb_same_pitch": s["atb_same_pitch"],
                            "bach_test_parallels_per_moving_pair": bach["parallels_per_moving_pair"],
                            "gibbs_steps": res["gibbs_steps"]})
    timing = table("Harmonise 8 bars (model only, no rendering)", res["latency"]) if res.get("latency") else ""
    write_card(path, card, body=card_body(card) + "\n\n## Harmonisation (python -m playground.music.harmony_eval)\n\n"
               + markdown(res) + "\n" + timing)


if __name__ == "__main__":
    main()
