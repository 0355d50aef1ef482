"""Train (or fine-tune) the character-level GPT-2 text model.

    python -m playground.train text --data ../shared/data/tinyshakespeare/input.txt \
        --out assets/models/text-shakespeare --max-minutes 29
    python -m playground.train text --init assets/models/text-shakespeare \
        --data my_text.txt --out data/models/my-model --max-iters 200

The first 90 % of the file trains, the last 10 % validates (the standard split of tiny
Shakespeare). Validation loss is the total negative log-likelihood of the whole validation
split divided by its number of characters (nats per character), each character seen with at
least half a context window before it.
"""
from __future__ import annotations

import copy
import json
import math
import platform
import shlex
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

from playground.charset import build_char_tokenizer


@dataclass
class TextTrainConfig:
    """Everything that shapes a text training run (saved into the model card)."""

    n_layer: int = 4
    n_embd: int = 256
    n_head: int = 8
    block_size: int = 256  # context in characters
    dropout: float = 0.05  # residual + embedding dropout
    attn_dropout: float = 0.0  # > 0 forces the slow attention path on CPU (~2x slower steps)
    batch_size: int = 16
    lr: float = 1.5e-3  # small models take a large learning rate
    min_lr: float = 1.5e-4  # cosine decays to lr / 10
    warmup_iters: int = 100
    weight_decay: float = 0.1
    schedule: str = "cosine"  # "cosine" to min_lr, or "wsd": hold lr, then decay linearly to min_lr
    warmdown: float = 0.3  # "wsd": the last share of training that decays
    optimizer: str = "adamw"  # "adamw", or "muon" for the block matrices (AdamW for the rest)
    muon_lr: float = 0.02
    muon_weight_decay: float = 0.0  # decoupled, scaled by the learning rate like AdamW's
    activation: str = "gelu_new"  # GPT-2's tanh approximation; "gelu" (exact) is one fused kernel
    max_iters: int = 100_000
    max_minutes: float = 30.0  # the schedule ends at whichever limit comes first
    eval_interval: int = 250
    eval_batches: int = 0  # 0 = the whole validation split
    bos_fraction: float = 0.1  # rows that start at a speech with the start token (teaches empty prompts)
    bf16: bool = True  # bfloat16 autocast: ~1.3-1.6x faster on CPUs with AMX/AVX-512 BF16
    threads: int = 0  # 0 = torch default
    device: str = "cpu"  # or "cuda" where a GPU is available
    seed: int = 1337


def split_ids(ids: torch.Tensor, val_fraction: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``1 - val_fraction`` of the stream trains, the rest validates."""
    n = int(len(ids) * (1 - val_fraction))
    return ids[:n], ids[n:]


def encode_text(tokenizer, text: str) -> torch.Tensor:
    """Token ids of ``text`` as a 1-D long tensor (characters outside the vocabulary are dropped)."""
    return torch.tensor(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)


@torch.inference_mode()
def nll_per_char(model, ids: torch.Tensor, block_size: int, batch_size: int = 32,
                 max_windows: int = 0) -> float:
    """Mean negative log-likelihood (nats) of ``ids[1:]``, sliding windows with half overlap.

    Every position is scored once, with at least ``block_size // 2`` tokens of context
    (except the first window). ``max_windows`` > 0 scores only an evenly spaced subset.
    """
    model.eval()
    device = next(model.parameters(), torch.empty(0)).device
    n = len(ids)
    block_size = min(block_size, n - 1)
    stride = max(1, block_size // 2)
    starts = list(range(0, max(1, n - block_size), stride))
    if starts[-1] + block_size < n - 1:
        starts.append(n - 1 - block_size)
    if max_windows and len(starts) > max_windows:
        step = len(starts) / max_windows
        starts = [starts[int(i * step)] for i in range(max_windows)]
    total, count, scored_to = 0.0, 0, 0
    for i in range(0, len(starts), batch_size):
        chunk = starts[i:i + batch_size]
        x = torch.stack([ids[s:s + block_size] for s in chunk]).to(device)
        y = torch.stack([ids[s + 1:s + 1 + block_size] for s in chunk]).to(device)
        logp = torch.log_softmax(model(input_ids=x).logits.float(), dim=-1)
        nll = -logp.gather(-1, y.unsqueeze(-1)).squeeze(-1)  # (B, T)
        for row, s in enumerate(chunk):
            # score targets ids[s+1+j] not yet scored: j >= scored_to - s - 1
            first = 0 if max_windows else max(0, scored_to - s)
            total += nll[row, first:].sum().item()
            count += block_size - first
            scored_to = s + block_size
    return total / max(1, count)


def _batch(ids: torch.Tensor, bos_starts: torch.Tensor, cfg: TextTrainConfig,
           gen: torch.Generator, bos_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A random batch of windows; some start at a speech boundary with the start token."""
    T = cfg.block_size
    starts = torch.randint(0, len(ids) - T - 1, (cfg.batch_size,), generator=gen)
    use_bos = torch.rand(cfg.batch_size, generator=gen) < cfg.bos_fraction
    if len(bos_starts) and use_bos.any():
        pick = bos_starts[torch.randint(0, len(bos_starts), (int(use_bos.sum()),), generator=gen)]
        starts[use_bos] = pick.clamp(max=len(ids) - T - 2)
    x = torch.stack([ids[s:s + T] for s in starts.tolist()])
    y = torch.stack([ids[s + 1:s + 1 + T] for s in starts.tolist()])
    x[use_bos, 0] = bos_id  # position 0 holds the start token; targets are unchanged
    return x, y


def _lr(progress: float, step: int, cfg: TextTrainConfig) -> float:
    if step < cfg.warmup_iters:
        return cfg.lr * (step + 1) / cfg.warmup_iters
    if cfg.schedule == "wsd":
        left = (1.0 - min(1.0, progress)) / max(cfg.warmdown, 1e-9)
        return cfg.min_lr + (cfg.lr - cfg.min_lr) * min(1.0, left)
    return cfg.min_lr + 0.5 * (cfg.lr - cfg.min_lr) * (1 + math.cos(math.pi * min(1.0, progress)))


def new_model(vocab_size: int, cfg: TextTrainConfig, bos_id: int = 0) -> GPT2LMHeadModel:
    """A fresh GPT-2-architecture model sized by ``cfg``."""
    config = GPT2Config(
        vocab_size=vocab_size, n_positions=cfg.block_size, n_embd=cfg.n_embd,
        n_layer=cfg.n_layer, n_head=cfg.n_head, resid_pdrop=cfg.dropout,
        embd_pdrop=cfg.dropout, attn_pdrop=cfg.attn_dropout, activation_function=cfg.activation,
        bos_token_id=bos_id, eos_token_id=bos_id, pad_token_id=bos_id,  # ids inside our vocabulary
    )
    return GPT2LMHeadModel(config)


def _optimizers(model, cfg: TextTrainConfig) -> list[torch.optim.Optimizer]:
    """AdamW (decay on matrices only), or Muon for the blocks' matrices plus AdamW for the rest."""
    from playground.train.muon import Muon

    blocks = model.transformer.h if cfg.optimizer == "muon" and hasattr(model, "transformer") else []
    muon = [p for p in blocks.parameters() if p.dim() == 2] if blocks else []
    ids = {id(p) for p in muon}
    rest = [p for p in model.parameters() if id(p) not in ids]
    adamw = torch.optim.AdamW([
        {"params": [p for p in rest if p.dim() >= 2], "weight_decay": cfg.weight_decay, "base_lr": cfg.lr},
        {"params": [p for p in rest if p.dim() < 2], "weight_decay": 0.0, "base_lr": cfg.lr},
    ], lr=cfg.lr, betas=(0.9, 0.99))
    if not muon:
        return [adamw]
    in_by_out = type(blocks[0].mlp.c_fc).__name__ == "Conv1D"
    opt = Muon(muon, lr=cfg.muon_lr, weight_decay=cfg.muon_weight_decay, in_by_out=in_by_out)
    opt.param_groups[0]["base_lr"] = cfg.muon_lr
    return [adamw, opt]


def iter_train(text: str, out_dir: str | Path, cfg: TextTrainConfig, init: str | Path | None = None,
               source: str = "", command: str = "") -> Iterator[dict]:
    """Train on ``text`` and save to ``out_dir``; yields progress dicts as it goes.

    Each dict has ``step``, ``progress`` (0-1), ``train_loss``, ``elapsed_s`` and, at eval
    steps, ``val_loss``. The last one also has ``done=True`` and the model card ``card``.
    """
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    if init:
        tokenizer = AutoTokenizer.from_pretrained(init)
        model = AutoModelForCausalLM.from_pretrained(init)
        cfg.block_size = min(cfg.block_size, model.config.n_positions)
        for key, p in (("resid_pdrop", cfg.dropout), ("embd_pdrop", cfg.dropout), ("attn_pdrop", cfg.attn_dropout)):
            if hasattr(model.config, key):
                setattr(model.config, key, p)
        for name, module in model.named_modules():  # the loaded model was saved with dropout off
            if isinstance(module, torch.nn.Dropout):
                module.p = cfg.attn_dropout if "attn_dropout" in name else cfg.dropout
    else:
        tokenizer = build_char_tokenizer(text)
        model = None
    ids = encode_text(tokenizer, text)
    if len(ids) < 64:
        raise ValueError("The training text is too short: it needs at least 64 characters the model knows.")
    train_ids, val_ids = split_ids(ids)
    cfg.block_size = min(cfg.block_size, len(train_ids) - 2)
    if model is None:
        model = new_model(len(tokenizer), cfg, tokenizer.bos_token_id)
    bos_id = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else 0
    newline = tokenizer.convert_tokens_to_ids("\n")
    # a speech starts after a blank line: the window's first token (a newline) becomes <bos>
    blank = (train_ids[:-1] == newline) & (train_ids[1:] == newline) if newline is not None else None
    bos_starts = (blank.nonzero().squeeze(-1) + 1) if blank is not None else torch.empty(0, dtype=torch.long)

    model.to(cfg.device)
    n_params = sum(p.numel() for p in model.parameters())
    opts = _optimizers(model, cfg)
    gen = torch.Generator().manual_seed(cfg.seed)
    t0 = time.time()
    best_val, best_state, history = float("inf"), None, []
    val_windows = cfg.eval_batches * 32
    step, smooth = 0, None
    while True:
        elapsed = time.time() - t0
        progress = max(step / cfg.max_iters, elapsed / (cfg.max_minutes * 60))
        last = progress >= 1.0
        if (step % cfg.eval_interval == 0 and step > 0) or last:
            val = nll_per_char(model, val_ids, cfg.block_size, max_windows=val_windows) if len(val_ids) > 8 else float("nan")
            if not math.isnan(val) and val < best_val:
                best_val, best_state = val, copy.deepcopy(model.state_dict())
            history.append({"step": step, "elapsed_s": round(elapsed, 1), "train_loss": smooth, "val_loss": val})
            if not last:
                yield {"step": step, "progress": progress, "train_loss": smooth, "val_loss": val, "elapsed_s": elapsed}
        if last:
            break
        factor = _lr(progress, step, cfg) / cfg.lr
        for opt in opts:
            for group in opt.param_groups:
                group["lr"] = group["base_lr"] * factor
        model.train()
        x, y = (t.to(cfg.device) for t in _batch(train_ids, bos_starts, cfg, gen, bos_id))
        with torch.autocast(torch.device(cfg.device).type, dtype=torch.bfloat16, enabled=cfg.bf16):
            logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.float().view(-1, logits.size(-1)), y.view(-1))
        for opt in opts:
            opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        for opt in opts:
            opt.step()
        smooth = loss.item() if smooth is None else 0.9 * smooth + 0.1 * loss.item()
        step += 1
        if step % 10 == 0:
            yield {"step": step, "progress": progress, "train_loss": smooth, "elapsed_s": time.time() - t0}

    if best_state is not None:
        model.load_state_dict(best_state)
    train_seconds = time.time() - t0
    final_val = nll_per_char(model, val_ids, cfg.block_size) if len(val_ids) > 8 else float("nan")
    model.to("cpu")
    for key in ("resid_pdrop", "embd_pdrop", "attn_pdrop"):
        setattr(model.config, key, 0.0)  # inference-time config
    card = {
        "val_loss_nats_per_char": round(final_val, 4),
        "val_chars": len(val_ids),
        "train_chars": len(train_ids),
        "parameters": n_params,
        "train_seconds": round(train_seconds, 1),
        "steps": step,
        "init": str(init) if init else None,
        "data": source,
        "command": command,
        "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}",
        "config": asdict(cfg),
        "history": history,
    }
    save(model, tokenizer, out_dir, card)
    yield {"step": step, "progress": 1.0, "train_loss": smooth, "val_loss": final_val,
           "elapsed_s": train_seconds, "done": True, "card": card, "out_dir": str(out_dir)}


def save(model, tokenizer, out_dir: str | Path, card: dict) -> None:
    """``save_pretrained`` (safetensors) + tokenizer + model card (training.json, README.md)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "training.json").write_text(json.dumps(card, indent=1))
    c = card["config"]
    (out / "README.md").write_text(
        f"# Character-level GPT-2 text model\n\n"
        f"- Architecture: GPT-2 (transformers `GPT2LMHeadModel`), {c['n_layer']} layers, "
        f"{c['n_embd']} wide, {c['n_head']} heads, context {c['block_size']} characters\n"
        f"- Parameters: {card['parameters']:,}\n"
        f"- Data: {card['data'] or 'user text'} (first 90 % train, last 10 % validation)\n"
        f"- Validation loss: **{card['val_loss_nats_per_char']} nats/char** on the whole "
        f"validation split ({card['val_chars']:,} characters)\n"
        f"- Training: {card['steps']} steps in {card['train_seconds'] / 60:.1f} min on {card['machine']}\n"
        f"- Initialised from: {card['init'] or 'scratch'}\n\n"
        f"Command:\n\n```\n{card['command']}\n```\n"
    )


def main(args) -> None:
    """CLI entry, called by ``python -m playground.train text``."""
    from tqdm import tqdm

    text = Path(args.data).read_text(encoding="utf-8")
    cfg = TextTrainConfig(**{k: v for k, v in vars(args).items()
                             if k in TextTrainConfig.__dataclass_fields__ and v is not None})
    command = "python -m playground.train " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    bar = tqdm(total=1000, unit="‰", desc="text")
    for ev in iter_train(text, args.out, cfg, init=args.init, source=str(args.data), command=command):
        bar.n = int(ev["progress"] * 1000)
        post = {"step": ev["step"], "loss": f"{ev['train_loss'] or 0:.3f}"}
        if "val_loss" in ev:
            post["val"] = f"{ev['val_loss']:.4f}"
            tqdm.write(f"step {ev['step']:6d}  {ev['elapsed_s'] / 60:5.1f} min  val {ev['val_loss']:.4f}")
        bar.set_postfix(post)
        bar.refresh()
        if ev.get("done"):
            bar.close()
            card = ev["card"]
            print(f"saved {args.out}: val {card['val_loss_nats_per_char']} nats/char, "
                  f"{card['parameters']:,} params, {card['train_seconds'] / 60:.1f} min")


def add_arguments(p) -> None:
    """Command-line flags; unset ones keep the ``TextTrainConfig`` defaults."""
    p.add_argument("--data", required=True, help="a UTF-8 text file (e.g. ../shared/data/tinyshakespeare/input.txt)")
    p.add_argument("--out", required=True, help="folder to save the model into")
    p.add_argument("--init", help="fine-tune from this model folder instead of training from scratch")
    for name, field in TextTrainConfig.__dataclass_fields__.items():
        kind = field.type if isinstance(field.type, type) else eval(field.type)
        if kind is bool:
            p.add_argument(f"--{name.replace('_', '-')}", type=lambda s: s.lower() in ("1", "true", "yes"))
        else:
            p.add_argument(f"--{name.replace('_', '-')}", type=kind)


MAX_UPLOAD_BYTES = 20_000_000


def read_user_text(path: str | Path) -> str:
    """The text of an uploaded file, with a plain sentence for every way it can be unusable."""
    p = Path(path)
    if not p.is_file():
        raise ValueError("No file was uploaded.")
    if p.stat().st_size > MAX_UPLOAD_BYTES:
        raise ValueError(f"The file is {p.stat().st_size / 1e6:.0f} MB; the limit is {MAX_UPLOAD_BYTES // 1_000_000} MB.")
    raw = p.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ValueError("This is not a text file (it contains binary data). Upload a plain .txt file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"The file is not UTF-8 text (bad byte at position {e.start}). "
                         "Save it as UTF-8 and upload it again.") from None
    if not text.strip():
        raise ValueError("The file is empty: it needs some text to learn from.")
    return text


def finetune(text: str, init: str | Path, out_dir: str | Path, steps: int = 100,
             max_minutes: float = 5.0, seed: int = 0) -> Iterator[dict]:
    """A short fine-tune of the model in ``init`` on ``text`` (the app's accordion uses this)."""
    steps = int(min(max(steps, 1), 2000))
    cfg = TextTrainConfig(max_iters=steps, max_minutes=float(min(max(max_minutes, 0.1), 30)),
                          lr=3e-4, min_lr=3e-5, warmup_iters=min(20, max(1, steps // 10)),
                          eval_interval=max(10, steps // 5), eval_batches=2, batch_size=8,
                          bos_fraction=0.0, seed=int(seed))
    yield from iter_train(text, out_dir, cfg, init=init, source="uploaded text",
                          command=f"fine-tune of {Path(str(init)).name} in the app, {steps} steps")
