"""The prose of a music checkpoint's model card (``playground.card``), and the published rows it quotes.

    metrics = {**nll_metrics("test", evaluate(model, test)), ...}
    write_card(out, Card(..., metrics=metrics, config={"format": "voices", "grid": "16th", ...}),
               body=card_body(card))
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from playground.card import Card

# Published NLLs on the JSB chorales (Boulanger-Lewandowski 2012 split), as given in the papers'
# own tables (confirmed in issue #12). Frame-level: nats per time step of the quarter-note piano
# roll, the probability of the whole 88-key binary frame (the set of sounding pitches), test split.
FRAME_QUARTER = [
    ("RNN (Boulanger-Lewandowski et al. 2012)", 8.71, "Table 1"),
    ("RNN-RBM (Boulanger-Lewandowski et al. 2012)", 6.27, "Table 1"),
    ("RNN-NADE (Boulanger-Lewandowski et al. 2012)", 5.83, "Table 1"),
    ("RNN-NADE, HF (Boulanger-Lewandowski et al. 2012)", 5.56, "Table 1"),
    ("tanh RNN (Chung et al. 2014)", 9.10, "Table 2"),
    ("GRU (Chung et al. 2014)", 8.54, "Table 2"),
    ("LSTM (Chung et al. 2014)", 8.67, "Table 2"),
    ("TCN (Bai et al. 2018)", 8.10, "JSB Chorales row"),
]
# Per-note NLL on the 16th-note four-voice data (Jsb16thSeparated.json), nats per note: the Music
# Transformer paper (Huang et al. 2018), Table 2, on the *validation* split.
NOTE_16TH = [
    ("Coconet, chronological ordering (as reported by Huang et al. 2018)", 0.436),
    ("Transformer, absolute position (Huang et al. 2018)", 0.417),
    ("Music Transformer, relative attention: the paper's best (Huang et al. 2018)", 0.335),
]
COCONET_NOTE_16TH = "the Music Transformer paper (Huang et al. 2018, Table 2)"


def _f(x: float) -> str:
    return f"{x:.3f}"


def literature_table() -> str:
    """The published frame-level rows (nats per 88-key frame, quarter-note piano roll, test split)."""
    rows = "\n".join(f"| {name} | {v:.2f} | {where} |" for name, v, where in FRAME_QUARTER)
    return "| published model (quarter-note piano roll) | nats per frame | source |\n|---|---|---|\n" + rows


def note_table() -> str:
    """The published per-note rows on the 16th-note four-voice data (validation split)."""
    rows = "\n".join(f"| {name} | {v:.3f} |" for name, v in NOTE_16TH)
    return "| published model (16th-note four voices, *validation* split) | nats per note |\n|---|---|\n" + rows


def nll_metrics(prefix: str, r: dict[str, float]) -> dict[str, Any]:
    """``evaluate()``'s result as card metrics: ``{prefix}_nats_per_note``, ``_per_frame``, counts."""
    return {f"{prefix}_nats_per_note": r["nll_per_note"], f"{prefix}_nats_per_frame": r["nll_per_frame"],
            f"{prefix}_notes": int(r["notes"]), f"{prefix}_frames": int(r["frames"])}


def _voices_body(c: dict) -> str:
    m, grid = c["metrics"], c["config"]["grid"]
    return f"""A {c['parameters']:,}-parameter LSTM over four-voice steps ({grid} grid: soprano, alto, tenor,
bass; each voice a pitch or a rest). Inside a step the voices are predicted in the order
S, A, T, B, so the exact likelihood of a chorale is one forward pass. A bidirectional
reader of the whole soprano line is given in half of the training windows, so the same
weights also harmonise a fixed melody (the Bach Doodle task).

## Data
JSB chorales, `Jsb16thSeparated.json` from `jsb-chorales/` (Coconet's voice-separated
version of the Boulanger-Lewandowski 2012 split: 229 train / 76 valid / 77 test chorales,
original keys). Training windows are transposed by a random -6..+6 semitones.
`openings.json` holds the first 4 bars of each test chorale (the tab's seed menu).

## Test NLL (exact, nats, no transposition at test time, float16 weights as shipped)
| model | nats per note (voice-step) | nats per {grid} step (4 voices) |
|---|---|---|
| this model | **{_f(m['test_nats_per_note'])}** | **{_f(m['test_nats_per_frame'])}** |
| bigram per voice, add-0.1 (trivial baseline) | {_f(m['bigram_test_nats_per_note'])} | {_f(4 * m['bigram_test_nats_per_note'])} |
| unigram per voice, add-0.1 (trivial baseline) | {_f(m['unigram_test_nats_per_note'])} | {_f(4 * m['unigram_test_nats_per_note'])} |
| this model harmonising (A, T, B given the whole soprano) | {_f(m['harmonise_test_nats_per_note'])} (per A/T/B note) | - |

Validation: {_f(m['valid_nats_per_note'])} nats per note. {m['test_notes']} test notes, {m['test_frames']} steps.

## Comparing with published figures
Nats per note on the 16th-note four-voice data is the unit of {COCONET_NOTE_16TH}, which
reports these figures on the **validation** split (compare with this model's validation
{_f(m['valid_nats_per_note'])}). Coconet's chronological figure uses this model's order (time, then
soprano, alto, tenor, bass within a step).

{note_table()}

The frame-level NLL of Boulanger-Lewandowski et al. (2012) and the RNN/GRU/LSTM rows of later
tables is measured on a different file (the quarter-note piano roll, where unisons collapse
and the keys differ from this file): the `--format roll` checkpoint (`assets/models/music-bach-roll`)
makes that comparison; the figures below are not comparable with this card's numbers.

{literature_table()}
"""


def _roll_body(c: dict) -> str:
    m = c["metrics"]
    return f"""A {c['parameters']:,}-parameter LSTM over the quarter-note piano roll. Each frame (the set of up
to four sounding pitches) is written top note first in four slots, each slot strictly below
the one above or empty, so the model is an exact distribution over sets of pitches: its NLL
per frame is in the units of Boulanger-Lewandowski et al. (2012) (88 binary keys per frame,
whose probability is that of the set). This checkpoint exists for the comparison; the app
uses the 16th-note four-voice model.

## Data
JSB chorales, `jsb-chorales-quarter.json` from `jsb-chorales/`: the quarter-note piano roll
that the data set's README describes as the Boulanger-Lewandowski (2012) data and split (229
train / 76 valid / 77 test chorales; not byte-compared with the original pickle here). Training chorales are
transposed by a random -6..+6 semitones.

## Test NLL (exact, nats per frame, no transposition at test time, float16 weights)
| model | nats per frame |
|---|---|
| this model | **{_f(m['test_nats_per_frame'])}** |
| per-key two-state Markov chain (trivial baseline) | {_f(m['markov_test_nats_per_frame'])} |
| independent Bernoulli per key (trivial baseline) | {_f(m['bernoulli_test_nats_per_frame'])} |
| per-slot bigram, add-0.1 (unconstrained: wastes mass on impossible frames) | {_f(4 * m['bigram_test_nats_per_note'])} |

Validation: {_f(m['valid_nats_per_frame'])} nats per frame. {m['test_frames']} test frames.

## Published figures, same file, split and unit
{literature_table()}

Same frames and unit: the probability of a frame is normalised jointly over the 88 binary keys
(the slots make it a distribution over sets of pitches; `tests/test_music.py::
test_ordered_model_is_a_normalised_distribution_over_frames` sums it over every frame of a small
vocabulary). The difference that remains: we train on transposed copies of the training chorales
(the published models' preprocessing may differ).
"""


def card_body(card: Card | dict) -> str:
    """The card's prose for ``playground.card.write_card``: model, data, test NLL tables, literature."""
    c = asdict(card) if isinstance(card, Card) else card
    body = _roll_body(c) if c["config"].get("format") == "roll" else _voices_body(c)
    return body + (f"\nThe weights with the best validation NLL are kept. Weights: "
                   f"{c['metrics']['weights_bytes'] / 1e6:.1f} MB (float16).\n")
