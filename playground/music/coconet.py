"""A Coconet-style harmoniser (Huang et al. 2017, the model behind the Bach Doodle).

    model = load("assets/models/music-coconet")
    grid = harmonise(model, melody, seed=0, steps=32)        # (T, 4) pitches, soprano == melody
    probs = note_probabilities(model, grid, voice=1, step=8)  # [(pitch, p), ...] for a bar chart
    chronological_nll(model, test_chorales)                   # nats per note, time then S A T B

The network sees the whole four-voice 16th-note roll at once: per step and voice a one-hot
pitch (rest = token 0) that is zeroed where the variable is hidden, plus the mask itself. It
predicts every hidden variable, so it can fill in any voices at any steps given everything
else: the alto, tenor and bass of a melody it has heard to the end. Like Coconet it is
trained on random masks (the orderless-NADE scheme) and sampled by annealed blocked Gibbs
sampling. Unlike Coconet's 2-D convolution over (time, pitch), the pitch axis here is the
channel axis of a dilated 1-D convolution over time: ~20x cheaper on a CPU; transposition
augmentation gives the pitch invariance the 2-D kernels would have built in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground.checkpoint import from_pretrained
from playground.music.notes import REST, from_tokens, to_tokens
from playground.music.voice_leading import RANGES, Key, find_parallels, melody_key, parallel_kind

MODEL_TYPE = "coconet"
HINT = "python -m playground.train coconet --data ../shared/data/jsb-chorales --out assets/models/music-coconet"
DEFAULT_STEPS = 32  # Gibbs steps: see harmony_eval for quality and latency per step count
DEFAULT_TEMPERATURE = 0.7  # below 1: fewer notes outside the key and fewer crossings (harmony_eval)
DEFAULT_GUARD = 4  # passes of the parallel fifths/octaves guard (0 = the model's own choices)
ORDER = (0, 1, 2, 3)  # chronological ordering within a step: soprano, alto, tenor, bass

CARD_BODY = """A Coconet-style harmoniser (Huang et al. 2017): a dilated 1-D convolution over the four-voice
16th-note roll that predicts any hidden voices at any steps from all the visible ones, sampled
by annealed blocked Gibbs sampling. The app uses it to harmonise a melody heard to its end.

NLLs are in nats per note (one note = one voice at one 16th step, rests included), exact under
the chronological ordering (step by step; soprano, alto, tenor, bass within a step) on the
**test** split. For comparison, the Music Transformer paper (Huang et al. 2018, Table 2) reports
0.436 for Coconet chronological on the *validation* split. `test_atb_given_s` scores alto,
tenor and bass (same ordering) given Bach's whole soprano line. `masked_nll` is the training
objective on fixed random masks (used to pick the checkpoint), not a likelihood."""


def card_body(card: dict) -> str:
    """The model card's prose: :data:`CARD_BODY`, and how the checkpoint it started from was trained."""
    parent = card.get("config", {}).get("parent_run") or {}
    if not parent.get("command"):
        return CARD_BODY
    return (CARD_BODY + f"\n\nThis run continued from `{card.get('parent')}`, trained from scratch in "
            f"{(parent.get('train_seconds') or 0) / 60:.1f} min ({parent.get('steps')} steps) by:\n\n"
            f"```\n{parent['command']}\n```")


@dataclass
class CoconetConfig:
    """Shape of the network; the pitch span is the training data's +- the transposition range."""

    pitch_min: int = 30
    pitch_max: int = 87
    n_voices: int = 4
    channels: int = 128
    dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16, 32])  # receptive field +- 63 steps
    dropout: float = 0.1
    steps_per_beat: int = 4  # the beat position is an input: chorales move on the beat
    voice_ranges: list[list[int]] = field(  # what each voice may sing when sampling (training span +- 6)
        default_factory=lambda: [[54, 87], [47, 80], [42, 75], [30, 70]])

    @property
    def vocab(self) -> int:
        """Token 0 = rest, then every pitch from pitch_min to pitch_max."""
        return self.pitch_max - self.pitch_min + 2

    @property
    def reach(self) -> int:
        """Steps each side an output depends on (the receptive field's radius)."""
        return sum(self.dilations)


class Block(nn.Module):
    """Pre-norm residual block: dilated 3-tap convolution, then a 1x1 convolution."""

    def __init__(self, channels: int, dilation: int, dropout: float):
        super().__init__()
        self.g1 = nn.Parameter(torch.ones(channels, 1))
        self.g2 = nn.Parameter(torch.ones(channels, 1))
        self.conv = nn.Conv1d(channels, channels, 3, dilation=dilation, padding=dilation)
        self.mix = nn.Conv1d(channels, channels, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:  # x (B, C, T), valid (B, 1, T)
        h = self.conv(F.relu(rms_norm(x, self.g1)))
        h = self.mix(F.relu(rms_norm(h, self.g2)))
        return (x + self.drop(h)) * valid  # zero outside the piece: padding never leaks in


def rms_norm(x: torch.Tensor, gain: torch.Tensor) -> torch.Tensor:
    """Normalise each position over channels (independent of the sequence, so padding is exact)."""
    return x * torch.rsqrt(x.pow(2).mean(1, keepdim=True) + 1e-6) * gain


class Coconet(nn.Module):
    """Predicts every voice at every step from the visible ones: logits (B, T, V, vocab)."""

    def __init__(self, config: CoconetConfig):
        super().__init__()
        self.config = c = config
        n_in = c.n_voices * (c.vocab + 1) + c.steps_per_beat
        self.inp = nn.Conv1d(n_in, c.channels, 1)
        self.blocks = nn.ModuleList(Block(c.channels, d, c.dropout) for d in c.dilations)
        self.g_out = nn.Parameter(torch.ones(c.channels, 1))
        self.out = nn.Conv1d(c.channels, c.n_voices * c.vocab, 1)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor, valid: torch.Tensor | None = None,
                positions: torch.Tensor | None = None) -> torch.Tensor:
        """tokens (B, T, V) long, mask (B, T, V) bool (True = hidden), valid (B, T) bool, positions (B, T)."""
        c = self.config
        B, T, V = tokens.shape
        if valid is None:
            valid = torch.ones(B, T, dtype=torch.bool)
        if positions is None:
            positions = torch.arange(T).expand(B, T)
        seen = F.one_hot(tokens, c.vocab).float() * (~mask).unsqueeze(-1).float()  # (B, T, V, K)
        x = torch.cat([seen, mask.unsqueeze(-1).float()], -1).reshape(B, T, V * (c.vocab + 1))
        beat = F.one_hot(positions % c.steps_per_beat, c.steps_per_beat).float()
        v = valid.unsqueeze(1).float()  # (B, 1, T)
        h = self.inp(torch.cat([x, beat], -1).transpose(1, 2)) * v
        for block in self.blocks:
            h = block(h, v)
        logits = self.out(F.relu(rms_norm(h, self.g_out)))  # (B, V*K, T)
        return logits.reshape(B, V, c.vocab, T).permute(0, 3, 1, 2)


def load(path: str | Path) -> Coconet:
    """The harmoniser saved in ``path`` (eval mode); ValueError if missing or corrupt."""
    return from_pretrained(Coconet, CoconetConfig, path, HINT)


# ---- training objective ---------------------------------------------------------------------
def training_mask(T: int, V: int, gen: torch.Generator) -> torch.Tensor:
    """One random (T, V) mask (True = hidden) from a mix of Coconet's schemes and the app's uses.

    35 % orderless NADE (every variable hidden with one random rate), 35 % harmonisation (the
    soprano given, the other voices hidden at a random rate, a third of those entirely), 20 %
    chronological (everything after a random step hidden, and the voices from a random one on at
    that step; half of them with the whole soprano given), 10 % a hidden stretch of time.
    """
    u, r, all_atb = torch.rand(3, generator=gen).tolist()
    mask = torch.zeros(T, V, dtype=torch.bool)
    if u < 0.35:
        return torch.rand(T, V, generator=gen) < r
    if u < 0.70:
        mask[:, 1:] = True if all_atb < 1 / 3 else torch.rand(T, V - 1, generator=gen) < r
        return mask
    if u < 0.90:
        t0 = int(torch.randint(T, (1,), generator=gen))
        v0 = int(torch.randint(V, (1,), generator=gen))
        mask[t0 + 1:] = True
        mask[t0, v0:] = True
        if r < 0.5:
            mask[:, 0] = False
        return mask
    a, b = sorted(torch.randint(T + 1, (2,), generator=gen).tolist())
    mask[a:max(b, a + 1)] = True
    return mask


def masked_nll(logits: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor,
               valid: torch.Tensor) -> torch.Tensor:
    """Mean over examples of the mean NLL of each example's hidden variables (orderless NADE)."""
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens.reshape(-1), reduction="none")
    w = (mask & valid.unsqueeze(-1)).float().reshape(tokens.shape[0], -1)
    per = (nll.reshape(w.shape) * w).sum(1) / w.sum(1).clamp(min=1)
    return per[w.sum(1) > 0].mean() if (w.sum(1) > 0).any() else per.sum() * 0


# ---- sampling -------------------------------------------------------------------------------
def allowed(config: CoconetConfig, key: Key | None = None, ranges: list | None = None) -> torch.Tensor:
    """(V, vocab) bool: each voice's range (no rests), and only the key's pitches with ``key``.

    ``ranges``: per voice (low, high) inside the model's own ``voice_ranges`` (e.g. the SATB ranges).
    """
    pitches = torch.arange(config.pitch_min, config.pitch_max + 1)
    rows = []
    for v, (lo, hi) in enumerate(config.voice_ranges):
        if ranges is not None:
            lo, hi = max(lo, ranges[v][0]), min(hi, ranges[v][1])
        ok = (pitches >= lo) & (pitches <= hi)
        if key is not None:
            ok &= torch.from_numpy(key.contains(pitches.numpy()))
        rows.append(torch.cat([torch.zeros(1, dtype=torch.bool), ok]))
    return torch.stack(rows)


def gibbs_schedule(steps: int, pmax: float = 0.9, pmin: float = 0.05, eta: float = 0.75) -> list[float]:
    """Share of cells resampled per step: all at first, then Coconet's annealing over the N = steps - 1
    Gibbs steps that follow: max(pmin, pmax - n (pmax - pmin) / (eta N)), n = 0..N-1."""
    n_gibbs = steps - 1
    return [1.0] + [max(pmin, pmax - n * (pmax - pmin) / (eta * n_gibbs)) for n in range(n_gibbs)]


@torch.inference_mode()
def fill(model: Coconet, grid: np.ndarray, known: np.ndarray, *, seed: int = 0, steps: int = DEFAULT_STEPS,
         key: Key | None = None, temperature: float = 1.0, guard: int = 0,
         ranges: list | None = None) -> np.ndarray:
    """Annealed blocked Gibbs sampling of the unknown cells of ``grid`` (T, V); known cells stay exactly.

    ``steps`` forward passes: the first samples every unknown cell at once, each later one hides
    a random block of them (shrinking from 90 % to 5 %) and samples it again given the rest.
    ``key`` keeps sampled notes inside that key (key lock), ``ranges`` inside per-voice (low, high)
    ranges. ``guard`` > 0: up to that many
    extra passes that resample notes arriving in parallel fifths/octaves (see
    :func:`repair_parallels`). Seeded by a per-call generator.
    """
    c = model.config
    grid, known = np.asarray(grid), np.asarray(known, dtype=bool)
    if steps < 1:
        raise ValueError("Gibbs sampling needs at least one step.")
    if not known.all() and not _inside(grid[known], c):
        raise ValueError(f"Some notes are outside the model's range ({c.pitch_min}-{c.pitch_max}).")
    gen = torch.Generator().manual_seed(int(seed))
    tokens = torch.from_numpy(to_tokens(np.where(known, grid, REST), c.pitch_min))[None]
    free = torch.from_numpy(~known)[None]
    bias = torch.where(allowed(c, key, ranges), 0.0, -torch.inf)  # (V, K)
    for p in gibbs_schedule(steps):
        block = free & (torch.rand(free.shape, generator=gen) < p) if p < 1 else free
        if not block.any():
            continue
        idx = block.nonzero(as_tuple=True)  # (batch, step, voice) of each cell to sample
        logits = model(tokens, block)[idx] / max(temperature, 1e-3) + bias[idx[2]]
        tokens[idx] = torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)[:, 0]
    for _ in range(guard):
        if not repair_parallels(model, tokens, free, bias, gen, temperature):
            break
    return from_tokens(tokens[0].numpy(), c.pitch_min)


def _note_end(grid: np.ndarray, free: np.ndarray, s: int, v: int) -> int:
    """End step of the note voice ``v`` starts at ``s`` (its unknown cells only)."""
    e = s + 1
    while e < len(grid) and grid[e, v] == grid[s, v] and free[e, v]:
        e += 1
    return e


def _forbidden(grid: np.ndarray, s: int, e: int, v: int, pitches: np.ndarray) -> np.ndarray:
    """(K,) bool: candidate pitches for voice ``v`` over steps s..e-1 that would move in parallel
    fifths/octaves with another voice, into the note (at ``s``) or out of it (at ``e``)."""
    bad = np.zeros(len(pitches), dtype=bool)
    for u in range(grid.shape[1]):
        if u == v:
            continue
        if s > 0:
            bad |= parallel_kind(grid[s - 1, v], pitches, grid[s - 1, u], grid[s, u]) >= 0
        if e < len(grid):
            bad |= parallel_kind(pitches, grid[e, v], grid[e - 1, u], grid[e, u]) >= 0
    return bad


def repair_parallels(model: Coconet, tokens: torch.Tensor, free: torch.Tensor, bias: torch.Tensor,
                     gen: torch.Generator, temperature: float) -> bool:
    """One pass of the voice-leading guard, in place: for each parallel fifth/octave, hide one of
    the two notes that arrive in it (an unknown one), and sample a new pitch for the whole note
    from the model's conditionals summed over its steps, excluding pitches that would make a
    parallel with the notes around it. Returns whether anything was resampled."""
    c = model.config
    grid, fr = from_tokens(tokens[0].numpy(), c.pitch_min), free[0].numpy()
    notes = set()
    for p in find_parallels(grid)[0]:
        options = [v for v in (p.upper, p.lower) if fr[p.step, v]]
        if options:
            notes.add((p.step, options[int(torch.randint(len(options), (1,), generator=gen))]))
    if not notes:
        return False
    spans = [(s, _note_end(grid, fr, s, v), v) for s, v in sorted(notes)]
    block = torch.zeros_like(free)
    for s, e, v in spans:
        block[0, s:e, v] = True
    logp = torch.log_softmax(model(tokens, block)[0] / max(temperature, 1e-3), -1)  # (T, V, K)
    pitches = from_tokens(np.arange(c.vocab), c.pitch_min)
    for s, e, v in spans:
        score = logp[s:e, v].sum(0) + bias[v]
        score = score.masked_fill(torch.from_numpy(_forbidden(grid, s, e, v, pitches)), -torch.inf)
        if torch.isfinite(score).any():
            k = int(torch.multinomial(torch.softmax(score, -1), 1, generator=gen))
            tokens[0, s:e, v], grid[s:e, v] = k, pitches[k]
    return True


def _inside(pitches: np.ndarray, c: CoconetConfig) -> bool:
    s = pitches[pitches >= 0]
    return bool(((s >= c.pitch_min) & (s <= c.pitch_max)).all())


def harmonise(model: Coconet, melody: np.ndarray, *, seed: int = 0, steps: int = DEFAULT_STEPS,
              key_lock: bool = False, temperature: float = DEFAULT_TEMPERATURE, guard: int = DEFAULT_GUARD,
              satb: bool = True) -> np.ndarray:
    """Alto, tenor and bass for a soprano line (T,) of MIDI pitches: a (T, 4) grid, column 0 == melody.

    Where the melody rests the choir rests too. ``key_lock`` keeps the lower voices in the
    melody's key (Krumhansl-Schmuckler on the melody); ``satb`` keeps them in the usual choir
    ranges (``voice_leading.RANGES``); ``guard`` and ``temperature`` as in :func:`fill`.
    """
    melody = np.asarray(melody, dtype=np.int64).ravel()
    if not (melody >= 0).any():
        raise ValueError("The melody has only rests: add at least one note.")
    c = model.config
    if not _inside(melody, c):
        raise ValueError(f"The melody must stay between MIDI {c.pitch_min} and {c.pitch_max} for this model.")
    grid = np.full((len(melody), c.n_voices), REST, dtype=np.int64)
    grid[:, 0] = melody
    known = np.zeros_like(grid, dtype=bool)
    known[:, 0] = True
    known[melody < 0] = True  # rests with the melody
    key = melody_key(melody) if key_lock else None
    return fill(model, grid, known, seed=seed, steps=steps, key=key, temperature=temperature, guard=guard,
                ranges=[list(r) for r in RANGES] if satb else None)


@torch.inference_mode()
def note_probabilities(model: Coconet, grid: np.ndarray, voice: int, step: int, *, key_lock: bool = False,
                       past_only: bool = False, top: int = 12) -> list[tuple[int, float]]:
    """The model's distribution for ``voice`` at ``step`` given every other cell of ``grid``.

    The ``top`` most likely notes as (MIDI pitch, probability), most likely first (-1 = rest).
    ``past_only`` hides what comes later in the chronological order (later steps; lower voices
    at this step): "what comes next" in a step-by-step mode, where ``grid`` may end at ``step``
    (cells not yet written may hold anything in range, e.g. -1). ``key_lock`` renormalises over
    the notes of the melody's key, as the sampler would.
    """
    grid = np.asarray(grid)
    c = model.config
    if grid.ndim != 2 or grid.shape[1] != c.n_voices:
        raise ValueError(f"The score must be a (steps, {c.n_voices}) grid of pitches.")
    if not (0 <= voice < c.n_voices and 0 <= step < len(grid)):
        raise ValueError(f"Pick a voice 0-{c.n_voices - 1} and a step 0-{len(grid) - 1}.")
    if not _inside(grid, c):
        raise ValueError(f"Some notes are outside the model's range ({c.pitch_min}-{c.pitch_max}).")
    tokens = torch.from_numpy(to_tokens(grid, c.pitch_min))[None]
    mask = torch.zeros_like(tokens, dtype=torch.bool)
    mask[0, step, voice] = True
    if past_only:
        mask[0, step + 1:] = True
        mask[0, step, ORDER.index(voice):] = True
    logits = model(tokens, mask)[0, step, voice]
    if key_lock:
        logits = logits.masked_fill(~allowed(c, melody_key(grid[:, 0]))[voice], -torch.inf)
    probs = torch.softmax(logits, -1)
    best = torch.argsort(probs, descending=True)[:top]
    return [(int(from_tokens(np.array([int(k)]), c.pitch_min)[0]), float(probs[k])) for k in best if probs[k] > 0]


# ---- likelihood -----------------------------------------------------------------------------
def _windows(tokens: torch.Tensor, reach: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every step's window of +-reach steps: tokens (T, W, V) and valid (T, W) (W = 2 reach + 1)."""
    T, V = tokens.shape
    padded = F.pad(tokens, (0, 0, reach, reach))
    valid = F.pad(torch.ones(T, dtype=torch.bool), (reach, reach))
    return padded.unfold(0, 2 * reach + 1, 1).permute(0, 2, 1), valid.unfold(0, 2 * reach + 1, 1)


@torch.inference_mode()
def chronological_nll(model: Coconet, chorales: list[np.ndarray], given: tuple[int, ...] = (),
                      batch_size: int = 256) -> dict[str, float]:
    """Exact NLL (nats per scored note) under the chronological ordering: step by step, and within a
    step soprano, alto, tenor, bass; each note given every note before it in that order.

    ``given=(0,)`` scores alto, tenor and bass given the whole soprano line (log p(ATB | S)).
    Each prediction is one forward pass over a window of the model's receptive field, which
    gives exactly the output a pass over the whole chorale would.
    """
    c, R = model.config, model.config.reach
    scored = [v for v in ORDER if v not in given]
    W = 2 * R + 1
    template = torch.zeros(len(scored), W, c.n_voices, dtype=torch.bool)  # hidden cells per target voice
    for i, v in enumerate(scored):
        template[i, R + 1:] = True
        template[i, R, scored[i:]] = True
    template[:, :, list(given)] = False
    total, n = 0.0, 0
    for chorale in chorales:
        tok, val = _windows(torch.from_numpy(to_tokens(chorale, c.pitch_min)), R)
        T = len(tok)
        pos = (torch.arange(T)[:, None] - R + torch.arange(W)[None]) % c.steps_per_beat
        jobs = [(t, i) for t in range(T) for i in range(len(scored))]
        for s in range(0, len(jobs), batch_size):
            t_idx = torch.tensor([t for t, _ in jobs[s:s + batch_size]])
            v_idx = torch.tensor([i for _, i in jobs[s:s + batch_size]])
            logits = model(tok[t_idx], template[v_idx], val[t_idx], pos[t_idx])[:, R]  # (b, V, K)
            voice = torch.tensor(scored)[v_idx]
            target = tok[t_idx, R, voice]
            total += float(F.cross_entropy(logits[torch.arange(len(t_idx)), voice], target, reduction="sum"))
            n += len(t_idx)
    return {"nll_per_note": total / max(1, n), "notes": n,
            "ordering": "chronological: time, then " + " ".join("SATB"[v] for v in scored),
            "given": "".join("SATB"[v] for v in given) or "nothing"}


def likelihoods(model: Coconet, test: list[np.ndarray], prefix: str = "test") -> dict[str, float]:
    """The card's NLL figures on ``test``: all four voices, and alto/tenor/bass given the soprano."""
    satb, atb = chronological_nll(model, test), chronological_nll(model, test, given=(0,))
    return {f"{prefix}_nll_per_note_chronological": satb["nll_per_note"], f"{prefix}_notes": satb["notes"],
            f"{prefix}_atb_given_s_nll_per_note": atb["nll_per_note"], f"{prefix}_atb_notes": atb["notes"]}


@torch.inference_mode()
def masked_loss(model: Coconet, chorales: list[np.ndarray], seed: int = 0) -> float:
    """Validation loss for choosing checkpoints: :func:`masked_nll` on fixed seeded masks, one pass each."""
    c, gen, total = model.config, torch.Generator().manual_seed(seed), 0.0
    for chorale in chorales:
        tok = torch.from_numpy(to_tokens(chorale, c.pitch_min))[None]
        mask = training_mask(len(chorale), c.n_voices, gen)[None]
        total += float(masked_nll(model(tok, mask), tok, mask, torch.ones(1, len(chorale), dtype=torch.bool)))
    return total / max(1, len(chorales))
