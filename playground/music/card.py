"""The model card (README.md) written next to a music checkpoint, and the published rows it quotes."""
from __future__ import annotations

from pathlib import Path

# Published test NLLs on the JSB chorales (Boulanger-Lewandowski 2012 split). The last field
# says how far each figure was checked: none could be read in the paper's own table from this
# offline workplace, so all are the commonly quoted values, to be checked against the papers.
FRAME_QUARTER = [  # nats per frame, quarter-note piano roll (88 binary keys), test split
    ("RNN (Boulanger-Lewandowski et al. 2012, Table 1)", 8.71, "recalled, not checked in the paper"),
    ("RNN-RBM (Boulanger-Lewandowski et al. 2012, Table 1)", 7.27, "recalled, not checked in the paper"),
    ("RNN-NADE, HF (Boulanger-Lewandowski et al. 2012, Table 1)", 5.56, "recalled, not checked in the paper"),
    ("tanh RNN (Chung et al. 2014, Table 2)", 8.92, "recalled, not checked in the paper"),
    ("LSTM (Chung et al. 2014, Table 2)", 8.67, "recalled, not checked in the paper"),
    ("GRU (Chung et al. 2014, Table 2)", 8.54, "secondhand (Papers with Code row), not checked in the paper"),
]
COCONET_NOTE_16TH = "Coconet (Huang et al. 2017): per-note NLL on the 16th-note four-voice data"


def _f(x: float) -> str:
    return f"{x:.3f}"


def literature_table() -> str:
    rows = "\n".join(f"| {name} | {v:.2f} | {c} |" for name, v, c in FRAME_QUARTER)
    return "| published model (quarter-note piano roll) | nats per frame | checked? |\n|---|---|---|\n" + rows


def _voices_body(m: dict) -> str:
    t, h, b = m["test"], m["test_harmonise"], m["baselines_test"]
    return f"""A {m['params']:,}-parameter LSTM over four-voice steps ({m['grid']} grid: soprano, alto, tenor,
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
| model | nats per note (voice-step) | nats per {m['grid']} step (4 voices) |
|---|---|---|
| this model | **{_f(t['nll_per_note'])}** | **{_f(t['nll_per_frame'])}** |
| bigram per voice, add-0.1 (trivial baseline) | {_f(b['bigram'])} | {_f(4 * b['bigram'])} |
| unigram per voice, add-0.1 (trivial baseline) | {_f(b['unigram'])} | {_f(4 * b['unigram'])} |
| this model harmonising (A, T, B given the whole soprano) | {_f(h['nll_per_note'])} (per A/T/B note) | - |

Validation: {_f(m['valid']['nll_per_note'])} nats per note. {int(t['notes'])} test notes, {t['frames']} steps.

## Comparing with published figures
Nats per note on the 16th-note four-voice data is the unit of {COCONET_NOTE_16TH.split(':')[0]}.
Their figure could not be checked against the paper here, so none is quoted. It is also a
different kind of number: Coconet's is a stochastic estimate averaged over random orderings
of an orderless NADE; ours is the exact likelihood under one fixed order (time, then S-A-T-B).

The frame-level NLL of Boulanger-Lewandowski et al. (2012) and the RNN/GRU/LSTM rows of later
tables is measured on a different file (the quarter-note piano roll, where unisons collapse
and the keys differ from this file): the `--format roll` checkpoint (`assets/models/music-bach-roll`)
makes that comparison; the figures below are not comparable with this card's numbers.

{literature_table()}
"""


def _roll_body(m: dict) -> str:
    t, b, r = m["test"], m["baselines_test"], m["roll_baselines_test"]
    return f"""A {m['params']:,}-parameter LSTM over the quarter-note piano roll. Each frame (the set of up
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
| this model | **{_f(t['nll_per_frame'])}** |
| per-key two-state Markov chain (trivial baseline) | {_f(r['markov'])} |
| independent Bernoulli per key (trivial baseline) | {_f(r['bernoulli'])} |
| per-slot bigram, add-0.1 (unconstrained: wastes mass on impossible frames) | {_f(4 * b['bigram'])} |

Validation: {_f(m['valid']['nll_per_frame'])} nats per frame. {t['frames']} test frames.

## Published figures, same file, split and unit
{literature_table()}

Same frames and unit. Differences that remain: we train on transposed copies of the training
chorales (the published models' preprocessing may differ), and the figures above are quoted as
commonly cited (see the "checked?" column).
"""


def write_card(out: str | Path, m: dict, command: str) -> Path:
    """README.md for the checkpoint in ``out`` from the metrics dict of the training run."""
    body = _roll_body(m) if m.get("format") == "roll" else _voices_body(m)
    text = f"""# {Path(out).name}: Bach chorale model

{body}
## Command
```
{command}
```
Trained {m['train_minutes']} min ({m['steps']} updates) on {m['machine']}; the weights with
the best validation NLL are kept. Weights: {m['weights_bytes'] / 1e6:.1f} MB (float16).
"""
    p = Path(out) / "README.md"
    p.write_text(text)
    return p
