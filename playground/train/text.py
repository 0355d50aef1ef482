"""Train (or fine-tune) the character-level GPT-2 text model on ``playground.train.loop``.

    python -m playground.train text --data ../shared/data/tinyshakespeare/input.txt \
        --out assets/models/text-shakespeare --max-minutes 29
    python -m playground.train text --init assets/models/text-shakespeare \
        --data my_text.txt --out data/models/my-model --max-iters 200

The first 90 % of the file trains, the last 10 % validates (the standard split of tiny
Shakespeare). The model card reports the validation loss by two protocols
(``playground.text.metrics``): sliding windows (every character with at least half a context
before it) and nanoGPT's non-overlapping windows.
"""
from __future__ import annotations

import shlex
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

from playground.card import Card, write_card
from playground.charset import build_char_tokenizer
from playground.text import metrics
from playground.text.metrics import encode_text, nll_per_char, split_ids
from playground.train.loop import LoopConfig, train


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


def loop_config(cfg: TextTrainConfig) -> LoopConfig:
    """The shared loop's budget and schedule for ``cfg`` (same steps, warmup and lr curve)."""
    return LoopConfig(max_steps=cfg.max_iters, max_minutes=cfg.max_minutes, warmup_steps=cfg.warmup_iters,
                      schedule=cfg.schedule, min_lr_ratio=cfg.min_lr / cfg.lr, decay_from=1 - cfg.warmdown,
                      eval_interval=cfg.eval_interval, log_interval=10, smoothing=0.9, keep_best=True)


@dataclass
class TextData:
    """The encoded training text, split, and where speeches start (for start-token rows)."""

    train_ids: torch.Tensor
    val_ids: torch.Tensor
    bos_starts: torch.Tensor  # positions in train_ids just after a blank line
    bos_id: int


def text_data(tokenizer, text: str) -> TextData:
    """Encode ``text``, split it 90/10 and find the speech starts."""
    ids = encode_text(tokenizer, text)
    if len(ids) < 64:
        raise ValueError("The training text is too short: it needs at least 64 characters the model knows.")
    train_ids, val_ids = split_ids(ids)
    newline = tokenizer.convert_tokens_to_ids("\n")
    # a speech starts after a blank line: the window's first token (a newline) becomes <bos>
    blank = (train_ids[:-1] == newline) & (train_ids[1:] == newline) if newline is not None else None
    bos_starts = (blank.nonzero().squeeze(-1) + 1) if blank is not None else torch.empty(0, dtype=torch.long)
    bos_id = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else 0
    return TextData(train_ids, val_ids, bos_starts, bos_id)


def new_model(vocab_size: int, cfg: TextTrainConfig, bos_id: int = 0) -> GPT2LMHeadModel:
    """A fresh GPT-2-architecture model sized by ``cfg``."""
    config = GPT2Config(
        vocab_size=vocab_size, n_positions=cfg.block_size, n_embd=cfg.n_embd,
        n_layer=cfg.n_layer, n_head=cfg.n_head, resid_pdrop=cfg.dropout,
        embd_pdrop=cfg.dropout, attn_pdrop=cfg.attn_dropout, activation_function=cfg.activation,
        bos_token_id=bos_id, eos_token_id=bos_id, pad_token_id=bos_id,  # ids inside our vocabulary
    )
    return GPT2LMHeadModel(config)


def _from_init(init: str | Path, cfg: TextTrainConfig):
    """The model and tokenizer saved in ``init``, with ``cfg``'s dropout switched back on."""
    tokenizer = AutoTokenizer.from_pretrained(init)
    model = AutoModelForCausalLM.from_pretrained(init)
    cfg.block_size = min(cfg.block_size, model.config.n_positions)
    for key, p in (("resid_pdrop", cfg.dropout), ("embd_pdrop", cfg.dropout), ("attn_pdrop", cfg.attn_dropout)):
        if hasattr(model.config, key):
            setattr(model.config, key, p)
    for name, module in model.named_modules():  # the loaded model was saved with dropout off
        if isinstance(module, torch.nn.Dropout):
            module.p = cfg.attn_dropout if "attn_dropout" in name else cfg.dropout
    return model, tokenizer


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


def _batch(data: TextData, cfg: TextTrainConfig, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A random batch of windows; some start at a speech boundary with the start token."""
    ids, T = data.train_ids, cfg.block_size
    starts = torch.randint(0, len(ids) - T - 1, (cfg.batch_size,), generator=gen)
    use_bos = torch.rand(cfg.batch_size, generator=gen) < cfg.bos_fraction
    if len(data.bos_starts) and use_bos.any():
        pick = data.bos_starts[torch.randint(0, len(data.bos_starts), (int(use_bos.sum()),), generator=gen)]
        starts[use_bos] = pick.clamp(max=len(ids) - T - 2)
    x = torch.stack([ids[s:s + T] for s in starts.tolist()])
    y = torch.stack([ids[s + 1:s + 1 + T] for s in starts.tolist()])
    x[use_bos, 0] = data.bos_id  # position 0 holds the start token; targets are unchanged
    return x, y


def _stepper(model, opts: list[torch.optim.Optimizer], data: TextData, cfg: TextTrainConfig,
             gen: torch.Generator) -> Callable[[], dict[str, float]]:
    """One optimisation step on a fresh batch (bf16 autocast, gradients clipped at 1)."""
    def step() -> dict[str, float]:
        model.train()
        x, y = (t.to(cfg.device) for t in _batch(data, cfg, gen))
        with torch.autocast(torch.device(cfg.device).type, dtype=torch.bfloat16, enabled=cfg.bf16):
            logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.float().view(-1, logits.size(-1)), y.view(-1))
        for opt in opts:
            opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        for opt in opts:
            opt.step()
        return {"train_loss": loss.item()}
    return step


def iter_train(text: str, out_dir: str | Path, cfg: TextTrainConfig, init: str | Path | None = None,
               source: str = "", command: str = "", learned_from: dict[str, Any] | None = None,
               bar: str | None = None) -> Iterator[dict]:
    """Train on ``text`` and save to ``out_dir``, yielding ``playground.train.loop`` events.

    Events carry ``losses["train_loss"]`` and, at evaluations, ``eval["val_loss"]`` (nats per
    character). The last has ``done=True``, the model ``card`` (a dict) and ``out_dir``.
    """
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    model, tokenizer = _from_init(init, cfg) if init else (None, build_char_tokenizer(text))
    data = text_data(tokenizer, text)
    cfg.block_size = min(cfg.block_size, len(data.train_ids) - 2)
    model = model or new_model(len(tokenizer), cfg, data.bos_id)
    model.to(cfg.device)
    opts = _optimizers(model, cfg)
    gen = torch.Generator().manual_seed(cfg.seed)
    windows = cfg.eval_batches * 32

    def evaluate() -> dict[str, float]:
        return {"val_loss": nll_per_char(model, data.val_ids, cfg.block_size, max_windows=windows)}

    for ev in train(_stepper(model, opts, data, cfg, gen), opts, loop_config(cfg), model=model,
                    evaluate=evaluate if len(data.val_ids) > 8 else None, best_key="val_loss", bar=bar):
        if ev.get("done"):
            card = _finish(model, tokenizer, data, cfg, ev, out_dir, init=init, source=source,
                           command=command, learned_from=learned_from)
            ev["eval"] = {"val_loss": card.metrics[metrics.SLIDING]}
            yield {**ev, "card": asdict(card), "out_dir": str(out_dir)}
        else:
            yield ev


def _finish(model, tokenizer, data: TextData, cfg: TextTrainConfig, done: dict, out_dir: str | Path,
            **facts: Any) -> Card:
    """Score the best state on the whole validation split, then save it with its card."""
    scores = metrics.val_metrics(model, data.val_ids, cfg.block_size)
    model.to("cpu")
    for key in ("resid_pdrop", "embd_pdrop", "attn_pdrop"):
        setattr(model.config, key, 0.0)  # inference-time config
    init = facts["init"]
    card = Card(model=Path(out_dir).name, model_type=model.config.model_type, command=facts["command"],
                data=facts["source"], parameters=sum(p.numel() for p in model.parameters()),
                train_seconds=round(done["elapsed_s"], 1), steps=done["step"],
                metrics={**scores, "val_chars": len(data.val_ids), "train_chars": len(data.train_ids)},
                config=asdict(cfg), history=done["history"], parent=str(init) if init else None,
                learned_from=facts["learned_from"] or {})
    save(model, tokenizer, out_dir, card)
    return card


def card_body(card: Card) -> str:
    """The model card's prose: architecture, split, and what each validation number means."""
    c, m = card.config, card.metrics
    return (
        f"A character-level GPT-2 (transformers `GPT2LMHeadModel`): {c['n_layer']} layers, {c['n_embd']} wide, "
        f"{c['n_head']} heads, context {c['block_size']} characters. The first 90 % of the data trains, the "
        f"last 10 % ({m.get('val_chars', 0):,} characters) validates.\n\n"
        "Validation loss in nats per character (lower is better), by two protocols:\n\n"
        f"- **{m.get(metrics.SLIDING)}** (`{metrics.SLIDING}`): every character of the split scored once, "
        f"with at least {m.get(metrics.CONTEXT)} characters of context (sliding windows, half overlap);\n"
        f"- **{m.get(metrics.WINDOWS)}** (`{metrics.WINDOWS}`): the mean over non-overlapping "
        f"{c['block_size']}-character windows, nanoGPT's protocol (early positions see little context)."
    )


def save(model, tokenizer, out_dir: str | Path, card: Card) -> None:
    """transformers' ``save_pretrained`` (safetensors) + tokenizer + model card (card.json, README.md)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    write_card(out, card, body=card_body(card))


def main(args) -> None:
    """CLI entry, called by ``python -m playground.train text``."""
    from tqdm import tqdm

    text = Path(args.data).read_text(encoding="utf-8")
    cfg = TextTrainConfig(**{k: v for k, v in vars(args).items()
                             if k in TextTrainConfig.__dataclass_fields__ and v is not None})
    command = "python -m playground.train " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    for ev in iter_train(text, args.out, cfg, init=args.init, source=str(args.data), command=command, bar="text"):
        if "eval" in ev and not ev.get("done"):
            tqdm.write(f"step {ev['step']:6d}  {ev['elapsed_s'] / 60:5.1f} min  val {ev['eval']['val_loss']:.4f}")
        if ev.get("done"):
            c = ev["card"]
            print(f"saved {args.out}: val {c['metrics'][metrics.SLIDING]} nats/char "
                  f"({c['metrics'][metrics.WINDOWS]} over whole windows), {c['parameters']:,} params, "
                  f"{c['train_seconds'] / 60:.1f} min")


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
                          command=f"fine-tune of {Path(str(init)).name} in the app, {steps} steps",
                          learned_from={"method": "fine-tune on uploaded text", "characters": len(text)})
