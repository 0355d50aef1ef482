"""RL Tuner (Jaques et al. 2017) for the chorale LSTM: policy-gradient fine-tuning on a reward,
kept near the frozen parent by a KL penalty, as RLHF does.

    cfg = MusicRLConfig(max_steps=60)
    for ev in rl_tune("assets/models/music-bach", reward_fn, "data/models/v2", cfg): ...

Each step samples ``batch_size`` continuations of ``bars`` bars (after a chorale opening, or from
the start when the model has none) from the policy at temperature 1, scores each finished
chorale with ``reward_fn(grids, seed_steps) -> {"reward": (B,), ...}`` and takes a REINFORCE step:

    A_t  = (R - b) - beta * sum_{t' >= t} [log pi(x_t') - log p_parent(x_t')]     (per 16th step)
    loss = -mean_batch sum_t A_t * log pi(x_t) / steps

The KL penalty is part of the return (the estimator of KL(pi || parent) on the sampled tokens,
as in RLHF). The baseline ``b`` is the mean reward of the other ``group - 1`` episodes of the same
opening (leave-one-out, RLOO): a running mean of R (``group=1``) left the opening's own effect on
the rated melody in the advantage, and 80 steps taught nothing measurable. Sampling and the
log-probabilities use the same range mask and no dropout, so log pi is the exact probability of
what was drawn. The new version is
saved in the parent's format (float16 weights, config.json, openings) with a card: parent,
``learned_from`` and the before/after figures of ``evaluate``, measured on the saved weights.
"""
from __future__ import annotations

import copy
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F

from playground import checkpoint
from playground.card import Card, write_card
from playground.music.model import MODEL_TYPE, ChoraleLSTM
from playground.music.notes import from_tokens, to_tokens
from playground.music.sample import _range_mask
from playground.train.loop import LoopConfig, optimise, train

RewardFn = Callable[[list[np.ndarray], int], dict[str, np.ndarray]]


@dataclass
class MusicRLConfig:
    """How long and how hard the RL Tuner pulls (saved into the new version's card)."""

    bars: int = 2  # bars composed per episode after the opening
    batch_size: int = 16  # episodes per step
    group: int = 4  # episodes per opening: each one's baseline is the mean reward of the others (RLOO)
    lr: float = 1e-4  # measured on music-bach: 3e-5 for 60 steps left 15 of 40 test pairs identical
    beta: float = 0.02  # KL weight per 16th step (nats; 4 voices a step)
    baseline_decay: float = 0.9  # running mean of the reward, the baseline when group is 1
    max_steps: int = 80
    max_minutes: float = 3.0
    seed: int = 0


def sample_batch(model: ChoraleLSTM, prefix: torch.Tensor | None, n_steps: int, generator: torch.Generator,
                 batch: int = 1, temperature: float = 1.0) -> torch.Tensor:
    """``prefix`` (B, T0, 4) tokens (None: start from nothing, ``batch`` rows) followed by
    ``n_steps`` sampled steps: (B, T0 + n_steps, 4). The batched form of ``sample.sample_tokens``."""
    cfg, nv = model.cfg, model.cfg.n_voices
    B = batch if prefix is None else len(prefix)
    T0 = 0 if prefix is None else prefix.shape[1]
    out = torch.zeros(B, T0 + n_steps, nv, dtype=torch.long)
    if T0:
        out[:, :T0] = prefix
    pos = (torch.arange(T0 + n_steps) % cfg.steps_per_bar).expand(B, -1)
    null = model.condition(None, None, B, T0 + n_steps)
    mask = _range_mask(model)
    start = torch.full((B, 1, nv), model.start_id, dtype=torch.long)
    with torch.no_grad():
        state = None
        if T0:
            prev = torch.cat([start, out[:, : T0 - 1]], dim=1)
            _, state = model.rnn(model.step_inputs(prev, pos[:, :T0], null[:, :T0]), state)
        prev = out[:, T0 - 1: T0] if T0 else start
        for t in range(T0, T0 + n_steps):
            h, state = model.rnn(model.step_inputs(prev, pos[:, t:t + 1], null[:, t:t + 1]), state)
            cur = torch.zeros(B, 1, nv, dtype=torch.long)
            prev_emb = model.embed(prev)
            for v in range(nv):
                logits = model.head(v, h, model.embed(cur), cur[..., v - 1] if v else None, prev_emb)[:, 0]
                p = torch.softmax((logits / temperature + mask[v]).float(), -1)
                cur[:, 0, v] = torch.multinomial(p, 1, generator=generator)[:, 0]
            out[:, t] = cur[:, 0]
            prev = cur
    return out


def step_logprobs(model: ChoraleLSTM, tokens: torch.Tensor, seed_steps: int) -> torch.Tensor:
    """(B, T - seed_steps): log-probability of each sampled step (its four voices) under ``model``,
    with the sampler's range mask; differentiable."""
    B, T, _ = tokens.shape
    pos = (torch.arange(T) % model.cfg.steps_per_bar).expand(B, -1)
    logits = model(tokens, pos)[:, seed_steps:] + _range_mask(model)  # (B, n, 4, V)
    lp = F.log_softmax(logits.float(), -1).gather(-1, tokens[:, seed_steps:].unsqueeze(-1)).squeeze(-1)
    return lp.sum(-1)


def _tail_sum(x: torch.Tensor) -> torch.Tensor:
    """sum_{t' >= t} x[:, t'] for each t."""
    return x.flip(1).cumsum(1).flip(1)


def rl_tune(init: str | Path, reward_fn: RewardFn, out_dir: str | Path, cfg: MusicRLConfig | None = None,
            stop=None, openings: list[np.ndarray] | None = None, learned_from: dict | None = None,
            evaluate: Callable[[ChoraleLSTM], dict[str, float]] | None = None) -> Iterator[dict]:
    """Fine-tune the chorale LSTM in ``init`` on ``reward_fn``; see the module doc. ``openings``:
    (T0, 4) MIDI-pitch grids to continue (None or []: from the start). ``evaluate(model)`` gives
    the figures reported before and after (on fresh samples). Yields the training loop's events;
    the first carries ``before``, the last ``out_dir``, ``before`` and ``after``."""
    cfg = cfg or MusicRLConfig()
    kind = checkpoint.read_config(init).get("model_type")
    if kind != MODEL_TYPE:
        raise ValueError(f"The RL Tuner fine-tunes the chorale LSTM ({MODEL_TYPE}); {Path(str(init)).name} is a "
                         f"{kind or 'model of unknown type'}.")
    policy = ChoraleLSTM.from_pretrained(init).eval()  # no dropout: log pi is what was sampled
    if not policy.cfg.generates:
        raise ValueError("The RL Tuner fine-tunes a four-voice chorale model on the 16th-note grid; this one "
                         "only measures likelihoods.")
    ref = copy.deepcopy(policy).requires_grad_(False)
    gen = torch.Generator().manual_seed(cfg.seed)
    T0 = min((len(o) for o in openings), default=0) if openings else 0
    seeds = torch.stack([torch.from_numpy(to_tokens(o[:T0], policy.cfg.pitch_min)) for o in openings]) if T0 else None
    n_gen = cfg.bars * policy.cfg.steps_per_bar
    opt = torch.optim.Adam(policy.parameters(), lr=cfg.lr)
    baseline: list[float] = []
    before = evaluate(policy) if evaluate else {}
    yield {"step": 0, "progress": 0.0, "elapsed_s": 0.0, "losses": {}, "before": before}

    def step() -> dict[str, float]:
        g = max(1, min(cfg.group, cfg.batch_size))
        pick = torch.randint(len(seeds), (cfg.batch_size // g,), generator=gen).repeat_interleave(g) if T0 else None
        prefix = seeds[pick] if T0 else None
        tokens = sample_batch(policy, prefix, n_gen, gen, batch=cfg.batch_size)
        parts = reward_fn(list(from_tokens(tokens.numpy(), policy.cfg.pitch_min)), T0)
        R = torch.as_tensor(np.asarray(parts["reward"], dtype=np.float64)).float()
        lp = step_logprobs(policy, tokens, T0)  # (B, n)
        with torch.no_grad():
            kl = lp.detach() - step_logprobs(ref, tokens, T0)
        b = baseline[0] if baseline else float(R.mean())
        if g > 1:  # leave-one-out mean of the same opening's other episodes: the opening's own effect cancels
            Rg = R[: len(R) // g * g].view(-1, g)
            base = ((Rg.sum(1, keepdim=True) - Rg) / (g - 1)).flatten()
        else:
            base = torch.full_like(R, b)
        adv = (R[: len(base)] - base).unsqueeze(1) - cfg.beta * _tail_sum(kl[: len(base)])
        lp = lp[: len(base)]
        loss = -(adv * lp).sum(1).mean() / n_gen
        optimise(loss, [opt], policy)
        baseline[:] = [cfg.baseline_decay * b + (1 - cfg.baseline_decay) * float(R.mean())]
        return {"loss": loss.item(), "kl": float(kl.sum(1).mean()),
                **{k: float(np.mean(v)) for k, v in parts.items()}}

    loop = LoopConfig(max_steps=cfg.max_steps, max_minutes=cfg.max_minutes, schedule="constant", log_interval=1,
                      smoothing=0.0, keep_best=False)
    for ev in train(step, [opt], loop, stop=stop):
        if ev.get("done"):
            out = Path(out_dir)
            policy.save_pretrained(out)
            if (Path(init) / "openings.json").is_file():
                shutil.copy(Path(init) / "openings.json", out / "openings.json")
            after = evaluate(ChoraleLSTM.from_pretrained(out)) if evaluate else {}  # the saved (float16) weights
            metrics = {**{f"before_{k}": round(v, 4) for k, v in before.items()},
                       **{f"after_{k}": round(v, 4) for k, v in after.items()},
                       **{f"final_{k}": round(v, 4) for k, v in ev["losses"].items()}}
            write_card(out, Card(
                model=out.name, model_type=MODEL_TYPE, data=f"{ev['step'] * cfg.batch_size} sampled episodes of "
                f"{cfg.bars} bars, rewarded by {', '.join(k for k in (learned_from or {}).get('reward', []))}",
                command=f"python -m playground.train music-rl --init {init} --max-steps {cfg.max_steps} "
                        f"--lr {cfg.lr:g} --beta {cfg.beta:g} --w-rules {(learned_from or {}).get('w_rules', 2.0):g} "
                        "(or the Music tab's Learn from feedback; the reward reads the feedback store)",
                parameters=sum(p.numel() for p in policy.parameters()), train_seconds=round(ev["elapsed_s"], 1),
                steps=ev["step"], metrics=metrics, config=asdict(cfg), parent=str(init),
                learned_from={"method": "rl-tuner", **(learned_from or {})}))
            ev = {**ev, "out_dir": str(out), "before": before, "after": after}
        yield ev


def add_arguments(p) -> None:
    """Command-line flags of ``python -m playground.train music-rl``."""
    p.add_argument("--init", default="assets/models/music-bach", help="the chorale LSTM folder to start from")
    p.add_argument("--out", help="folder for the new version (default: <data dir>/models/<model>-feedback-<UTC time>)")
    p.add_argument("--store", help="feedback store URL (default: PLAYGROUND_FEEDBACK_URL or the data dir's SQLite)")
    p.add_argument("--data-dir", help="the app's data dir (where the default store and versions live)")
    p.add_argument("--w-rules", type=float, default=2.0, help="weight of the voice-leading rules in the reward")
    for name, value in asdict(MusicRLConfig()).items():
        p.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")


def main(args) -> None:
    """CLI entry: the ratings of the --init model's lineage, then the RL Tuner (as the Music tab runs it)."""
    from playground import config, lineage
    from playground.feedback import FeedbackStore
    from playground.music import rl

    if args.data_dir:
        config.set_data_dir(args.data_dir)
    torch.set_num_threads(args.threads)
    rows = lineage.lineage_rows(FeedbackStore(args.store).rated("music"), Path(args.init).name)
    cfg = MusicRLConfig(**{k: getattr(args, k) for k in asdict(MusicRLConfig())})
    r = rl.reward(rows, w_rules=args.w_rules)
    print(f"{len(rows)} rated music outputs of {lineage.base_name(Path(args.init).name)}'s lineage; reward: {' + '.join(r.parts)}")
    try:
        for ev in rl.learn_by_rl(args.init, rows, out_dir=args.out, cfg=cfg, r=r):
            if ev.get("losses") and ev["step"] % 10 == 0 and not ev.get("done"):
                print(f"step {ev['step']:4d}  " + "  ".join(f"{k} {v:.3f}" for k, v in ev["losses"].items()))
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None
    for when in ("before", "after"):
        print(f"{when:6s} " + "  ".join(f"{k} {v:.3f}" for k, v in ev[when].items()))
    print(f"saved {ev['out_dir']}")
