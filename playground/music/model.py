"""A compact LSTM over four-voice 16th-note steps (soprano, alto, tenor, bass).

    model = ChoraleLSTM(MusicConfig())          # or ChoraleLSTM.from_pretrained("assets/models/music-bach")
    logits = model(tokens, positions)            # (B, T, 4, V): voice v at step t given all steps
                                                 # before t and voices < v at step t
    model.save_pretrained(out_dir)               # config.json + model.safetensors (float16), playground.checkpoint

The joint distribution factorises over time, then over voices inside a step (S, A, T, B),
so the exact log-likelihood of a chorale is one forward pass. An optional condition, the
whole soprano line read by a bidirectional LSTM, turns the same network into a harmoniser
(trained with the condition dropped half of the time, so both modes share one model).

With ``ordered=True`` the four "voices" are the notes of a piano-roll frame sorted from the
top down (rest = no further note); each slot may only go below the one above, so the model
is an exact distribution over *sets* of up to four pitches: the frame-level likelihood of
Boulanger-Lewandowski et al. (2012).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from playground import checkpoint

MODEL_TYPE = "chorale-lstm"  # config.json's "model_type"
ABOUT = ("A small recurrent network (an LSTM) learned four-part harmony from 229 of Bach's chorales. "
         "Give it a start, a few notes you type, the opening of a chorale it never saw, or a MIDI file, "
         "and it writes what comes next one 16th note at a time, each voice choosing among the notes "
         "it thinks Bach would likely write. *Continue* adds bars; *harmonise* keeps your melody exactly "
         "and adds alto, tenor and bass below it. Temperature sets how adventurous the choices are.")
ABOUT_ROLL = ("An LSTM over the quarter-note piano roll of Bach's chorales, kept to measure the frame-level "
              "likelihood of the published papers; it does not compose in this app.")


@dataclass
class MusicConfig:
    """Shape of the chorale model (saved as config.json)."""

    n_voices: int = 4
    pitch_min: int = 28  # token k is pitch pitch_min + k - 1; data spans 36-81, +-6 for transposition
    pitch_max: int = 90
    steps_per_beat: int = 4  # 16th-note grid
    steps_per_bar: int = 16  # position-in-bar feature (4/4)
    emb: int = 32
    hidden: int = 256
    layers: int = 2
    cond_hidden: int = 64  # per direction of the soprano reader
    dropout: float = 0.3  # JSB is tiny (229 training chorales): regularise hard
    # sounding range per voice [lo, hi] the model accepts (training data +- augmentation)
    voice_ranges: list = field(default_factory=lambda: [[55, 84], [48, 77], [42, 72], [33, 69]])
    ordered: bool = False  # slots of a piano-roll frame, top note first (see module docstring)
    head_prev: bool = False  # heads also see the previous step's tokens: "hold the note" is learnt at once

    @property
    def vocab(self) -> int:
        """Rest + every pitch in [pitch_min, pitch_max]."""
        return self.pitch_max - self.pitch_min + 2

    @property
    def generates(self) -> bool:
        """Whether the app can compose with it: four voices on the 16th-note grid (not a piano roll)."""
        return not self.ordered and self.steps_per_beat == 4


class ChoraleLSTM(nn.Module):
    """p(x_t^v | x_<t, x_t^<v [, soprano line]) for four voices on a step grid."""

    def __init__(self, cfg: MusicConfig):
        super().__init__()
        self.cfg = cfg
        V, E, H, nv = cfg.vocab, cfg.emb, cfg.hidden, cfg.n_voices
        self.start_id = V  # input token before the first step
        self.tok = nn.Embedding(nv * (V + 1), E)  # one table per voice, stacked
        self.pos = nn.Embedding(cfg.steps_per_bar, E)
        self.cond_tok = nn.Embedding(V, E)
        self.cond_rnn = nn.LSTM(E, cfg.cond_hidden, batch_first=True, bidirectional=True)
        self.null_cond = nn.Parameter(torch.zeros(2 * cfg.cond_hidden))
        self.inp = nn.Linear(nv * E + E + 2 * cfg.cond_hidden, H)
        self.rnn = nn.LSTM(H, H, cfg.layers, batch_first=True, dropout=cfg.dropout if cfg.layers > 1 else 0.0)
        self.drop = nn.Dropout(cfg.dropout)
        head_in = H + (nv - 1) * E + (nv * E if cfg.head_prev else 0)
        self.heads = nn.ModuleList(
            nn.Sequential(nn.Linear(head_in, H), nn.ReLU(), nn.Linear(H, V)) for _ in range(nv)
        )

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """(B, T, 4) token ids -> (B, T, 4, E), each voice through its own table."""
        offs = torch.arange(self.cfg.n_voices, device=tokens.device) * (self.cfg.vocab + 1)
        return self.tok(tokens + offs)

    def condition(self, soprano: torch.Tensor | None, use: torch.Tensor | None, B: int, T: int,
                  lengths: torch.Tensor | None = None) -> torch.Tensor:
        """(B, T, 2*cond_hidden): the soprano line read both ways, or the learned 'no melody' vector.

        ``lengths`` (B,) keeps the backward reader from starting in the padding of short rows.
        """
        null = self.null_cond.expand(B, T, -1)
        if soprano is None or (use is not None and not bool(use.any())):
            return null
        x = self.cond_tok(soprano)
        if lengths is not None and int(lengths.min()) < T:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            c, _ = nn.utils.rnn.pad_packed_sequence(self.cond_rnn(packed)[0], batch_first=True, total_length=T)
        else:
            c, _ = self.cond_rnn(x)
        if use is None:
            return c
        return torch.where(use.view(B, 1, 1), c, null)

    def step_inputs(self, prev: torch.Tensor, positions: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """LSTM input from the previous step's tokens (B, T, 4), positions (B, T) and condition."""
        B, T, _ = prev.shape
        x = torch.cat([self.embed(prev).reshape(B, T, -1), self.pos(positions), cond], dim=-1)
        return self.drop(torch.relu(self.inp(x)))

    def head(self, v: int, h: torch.Tensor, cur_emb: torch.Tensor, above: torch.Tensor | None = None,
             prev_emb: torch.Tensor | None = None) -> torch.Tensor:
        """Logits of voice ``v`` from LSTM output h (..., H) and this step's voice embeddings (..., 4, E).

        ``above`` (...) is the token of voice v-1, needed only when ``cfg.ordered``; ``prev_emb``
        (..., 4, E) the previous step's embeddings, needed only when ``cfg.head_prev``.
        """
        known = cur_emb[..., : self.cfg.n_voices - 1, :].clone()
        known[..., v:, :] = 0  # only voices above v are known
        parts = [h, known.flatten(-2)] + ([prev_emb.flatten(-2)] if self.cfg.head_prev else [])
        logits = self.heads[v](torch.cat(parts, dim=-1))
        if self.cfg.ordered and v > 0:
            # a slot holds a pitch strictly below the slot above it, or nothing (always allowed)
            k = torch.arange(self.cfg.vocab, device=logits.device)
            ok = (k == 0) | (k < above.unsqueeze(-1))
            logits = logits.masked_fill(~ok, float("-inf"))
        return logits

    def forward(self, tokens: torch.Tensor, positions: torch.Tensor, soprano: torch.Tensor | None = None,
                use_cond: torch.Tensor | None = None, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Teacher-forced logits (B, T, 4, V) for tokens (B, T, 4)."""
        B, T, nv = tokens.shape
        start = torch.full((B, 1, nv), self.start_id, dtype=tokens.dtype, device=tokens.device)
        prev = torch.cat([start, tokens[:, :-1]], dim=1)
        cond = self.condition(soprano, use_cond, B, T, lengths)
        h, _ = self.rnn(self.step_inputs(prev, positions, cond))
        h = self.drop(h)
        cur, prev_emb = self.embed(tokens), self.embed(prev)
        return torch.stack([self.head(v, h, cur, tokens[..., v - 1] if v else None, prev_emb) for v in range(nv)], dim=2)

    # ---- loading / saving: the one checkpoint format (playground.checkpoint) ----------------
    def save_pretrained(self, out_dir: str | Path, dtype: torch.dtype = torch.float16) -> Path:
        """Write config.json and model.safetensors (float16 by default: half the size) into ``out_dir``."""
        return checkpoint.save_pretrained(self, out_dir, MODEL_TYPE, self.cfg, dtype)

    @classmethod
    def from_pretrained(cls, path: str | Path, hint: str = "") -> "ChoraleLSTM":
        """Load a model saved by ``save_pretrained`` (eval mode; ValueError if missing or corrupt)."""
        return checkpoint.from_pretrained(cls, MusicConfig, path, hint)


def nll(logits: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Summed negative log-likelihood (nats) of tokens (B, T, 4) where mask (B, T, 4) is true."""
    lp = F.log_softmax(logits.float(), dim=-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
    return -torch.where(mask > 0, lp, torch.zeros_like(lp)).sum()  # where, not *: 0 * -inf is nan
