"""Fit a learned prior (a RealNVP flow) to a trained VAE's latent space, and save the VAE with it.

    python -m playground.train vae-prior --model assets/models/vae-digits

Stage two of the VAE (ex-post density estimation, Ghosh et al. 2020): the VAE's weights stay as
they are; a flow learns, by maximum likelihood, the density of latents drawn from the encoder's
posterior of each training digit. The app then draws the latent from the flow instead of from
N(0, I). The card keeps the VAE's own training run and adds this stage, with the quality before
and after (``metrics_normal_prior``).
"""
from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

import torch

from playground import checkpoint
from playground.card import read_card, write_card
from playground.images import catalog, data, metrics, render
from playground.images.sampling import latent
from playground.images.vae import VAE, VAEConfig
from playground.train import cli
from playground.train.loop import LoopConfig, optimise, train


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Command-line flags."""
    p.add_argument("--model", required=True, help="the trained VAE's folder")
    p.add_argument("--out", default=None, help="folder to write (default: --model itself)")
    p.add_argument("--data", default=None, help="the mnist-10k.npz file (default: the bundled copy)")
    p.add_argument("--layers", type=int, default=8, help="coupling layers of the flow")
    p.add_argument("--hidden", type=int, default=128, help="width of each coupling layer's network")
    p.add_argument("--max-steps", type=int, default=3000)
    p.add_argument("--max-minutes", type=float, default=5.0)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-eval", action="store_true", help="skip the quality metrics (tests)")


@torch.inference_mode()
def posteriors(vae: VAE, split: data.DigitsSplit) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """The encoder's posterior mean and standard deviation of every digit in ``split`` (and its labels)."""
    y = split.y if vae.n_classes else None
    mu, logvar = vae.encode(split.x, y)
    return mu.clone(), (0.5 * logvar).exp().clone(), None if y is None else y.clone()


def fit_prior(vae: VAE, train_split: data.DigitsSplit, test_split: data.DigitsSplit, loop: LoopConfig,
              lr: float = 2e-3, batch_size: int = 256, seed: int = 0, bar: str | None = None) -> dict:
    """Give ``vae`` a fresh flow prior and fit it; returns the loop's last event (with the best
    held-out latent NLL, nats per digit, under "best")."""
    mu, sd, y = posteriors(vae, train_split)
    mu_t, sd_t, y_t = posteriors(vae, test_split)
    torch.manual_seed(seed)  # the flow's initial weights: the same whatever the VAE held before
    flow = vae.add_flow()
    flow.standardise(mu)
    opt = torch.optim.AdamW(flow.parameters(), lr, weight_decay=1e-4)
    g = torch.Generator().manual_seed(seed)
    eval_noise = torch.randn(mu_t.shape, generator=torch.Generator().manual_seed(seed + 1))

    def step() -> dict[str, float]:
        i = torch.randint(0, len(mu), (batch_size,), generator=g)
        z = mu[i] + sd[i] * torch.randn(len(i), mu.shape[1], generator=g)
        loss = -vae.prior_log_prob(z, None if y is None else y[i]).mean()
        return {"latent_nll": optimise(loss, [opt], flow)}

    @torch.no_grad()
    def evaluate() -> dict[str, float]:
        return {"test_latent_nll": -vae.prior_log_prob(mu_t + sd_t * eval_noise, y_t).mean().item()}

    for ev in train(step, [opt], loop, evaluate=evaluate, model=flow, bar=bar):
        pass
    vae.eval()
    return ev


def main(args: argparse.Namespace) -> dict:
    """CLI entry, called by ``python -m playground.train vae-prior``."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    src, out = Path(args.model), Path(args.out or args.model)
    vae = checkpoint.from_pretrained(VAE, VAEConfig, src, "python -m playground.train vae --out " + str(src))
    vae.config.flow_layers, vae.config.flow_hidden = args.layers, args.hidden
    card = read_card(src)
    before = {} if args.no_eval else metrics.evaluate(_without_flow(vae.eval()))
    loop = LoopConfig(max_steps=args.max_steps, max_minutes=args.max_minutes, warmup_steps=100, schedule="cosine",
                      min_lr_ratio=0.0, eval_interval=500)
    last = fit_prior(vae, data.load("train", args.data), data.load("test", args.data), loop, args.lr,
                     args.batch_size, args.seed, bar="fit vae prior")
    catalog.save(vae, out)
    with torch.inference_mode():  # the card's sample grid, now from the learned prior
        y = torch.arange(64) % vae.n_classes if vae.n_classes else None
        render.grid(vae.decode(latent.noise(0, vae.z_dim, 64), y)).save(out / "samples.png")
    after = {} if args.no_eval else metrics.evaluate(vae)
    stage = {"command": cli.command("vae-prior", args), "steps": last["step"],
             "train_seconds": round(last["elapsed_s"], 1), "test_latent_nll": last["best"],
             "flow_parameters": sum(p.numel() for p in vae.flow.parameters()), "history": last["history"]}
    vae_command = (card.get("command") or "python -m playground.train vae ...").splitlines()[0]
    card.update(model=out.name, parameters=sum(p.numel() for p in vae.parameters()),
                command=f"{vae_command}\n{stage['command']}",
                metrics={**card.get("metrics", {}), **after, "metrics_normal_prior": before},
                learned_from={**card.get("learned_from", {}), "prior": stage})
    write_card(out, card, body=_body(out.name, {"model_type": "vae", **asdict(vae.config)}, after, before, stage))
    print(f"saved {out}: flow prior after {last['step']:,} steps in {last['elapsed_s'] / 60:.1f} min, "
          f"held-out latent NLL {last['best']:.3f} nats")
    if after:
        print(metrics.format_rows({"N(0, I) prior": before, "flow prior": after}))
    return after


def _without_flow(vae: VAE) -> VAE:
    """``vae`` on the N(0, I) prior it was trained with (a flow it had is dropped; a new one is fitted)."""
    vae.flow, vae.config.prior = None, "normal"
    return vae


def _body(name: str, config: dict, after: dict, before: dict, stage: dict) -> str:
    from playground.images.training_run import _body as family_body

    text = family_body(name, config, after)
    lines = [text, "", "## Learned prior", "",
             f"The latent is drawn from a RealNVP flow ({config['flow_layers']} coupling layers, "
             f"{stage['flow_parameters']:,} parameters) fitted after training to the encoder's posteriors of the "
             f"training digits: {stage['steps']:,} steps, {stage['train_seconds'] / 60:.1f} min, held-out latent NLL "
             f"{stage['test_latent_nll']:.3f} nats per digit. `{stage['command']}`"]
    if before:
        lines += ["", "| prior | recognised | Frechet | test ELBO (nats) | bits/dim |", "|---|---|---|---|---|"]
        for label, row in (("N(0, I), as trained", before), ("flow (the app's)", after)):
            lines.append(f"| {label} | {row['recognised']:.3f} | {row['frechet_test']:.2f} | "
                         f"{row['elbo_nats']:.1f} | {row['bits_per_dim']:.3f} |")
    return "\n".join(lines)
