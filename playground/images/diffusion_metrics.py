"""How good and how fast is the diffusion model? Judged by ``mnist-judge``, timed on this machine.

    python -m playground.images.diffusion_metrics                      # quality + speed + steps table
    python -m playground.images.diffusion_metrics --quick              # fewer samples and repeats

Quality on 1,000 samples (100 per digit): the share that is the asked digit, the share the
judge recognises with confidence >= 0.9, the class histogram, and the Frechet distance to the
real test digits in the judge's feature space. Speed: one image with its trajectory strip at
the default steps, and a 64-image grid at 20 steps. The steps table shows what the steps
slider costs: time per image next to the quality at 5, 10, 20 and 50 steps.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from PIL import Image

from playground.images import diffusion as D
from playground.images import diffusion_draw, render
from playground.images import judge as J
from playground.images import mnist
from playground.timing import row, table, timed

EVAL_SEED = 1_000_000  # the evaluation's seeds (not the app's small ones)
STEP_COUNTS = (5, 10, 20, 50)
GUIDANCES = (0.0, 1.0, 1.25, 1.5, 2.0, 3.0)


def samples(model: D.UNet, n: int = 1000, steps: int = D.DEFAULT_STEPS, guidance: float = D.DEFAULT_GUIDANCE,
            sampler: str = "ddim", seed: int = EVAL_SEED, batch: int = 250) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` seeded samples, digit i % 10 for sample i, and the digits asked for."""
    asked = torch.arange(n) % mnist.N_CLASSES
    parts = [D.sample(model, asked[i:i + batch].tolist(), steps, guidance, sampler, seed + i).images
             for i in range(0, n, batch)]
    return torch.cat(parts), asked


def evaluate(model: D.UNet, n: int = 1000, judge_model: J.Judge | None = None, reference: torch.Tensor | None = None,
             **kw) -> dict:
    """The judge's verdict on ``n`` samples (``kw``: steps, guidance, sampler, seed)."""
    x, asked = samples(model, n, **kw)
    judge_model, reference = judged_by(judge_model, reference)
    return J.image_stats(x, asked, judge_model, reference)


def judged_by(judge_model: J.Judge | None, reference: torch.Tensor | None = None) -> tuple[J.Judge, torch.Tensor]:
    """The judge (default: the bundled one) and its features of the real test digits (the bundled
    judge's are computed once per process: ``judge.test_features``)."""
    if reference is None:
        reference = J.test_features() if judge_model is None else J.judge(mnist.load("test").x, judge_model)[1]
    return judge_model or J.load(), reference


def one_image(model: D.UNet, steps: int = D.DEFAULT_STEPS, seed: int = 0, sampler: str = "ddim") -> Image.Image:
    """What the tab does for one image: sample it with its trajectory and draw the strip."""
    traj = D.sample(model, [seed % 10], steps, D.DEFAULT_GUIDANCE, sampler, seed,
                    frames=diffusion_draw.kept_frames(steps))
    return diffusion_draw.strip(traj)


def cpu_timed(fn, repeats: int) -> tuple[list[float], float]:
    """``timing.timed`` plus the process CPU time per call in ms (all threads; on a shared
    machine wall time waits for other processes, CPU time does not)."""
    c0 = time.process_time()
    times = timed(fn, repeats)
    return times, round(1000 * (time.process_time() - c0) / (repeats + 1), 1)


def latency(model: D.UNet, repeats: int = 10) -> list[dict]:
    """Bench rows: one image + trajectory strip at the default steps; a 64-image grid at 20 steps."""
    single, cpu1 = cpu_timed(lambda i: one_image(model, seed=i), repeats)
    grid, cpu64 = cpu_timed(lambda i: D.sample(model, [d % 10 for d in range(64)], 20, D.DEFAULT_GUIDANCE, "ddim", i),
                            max(2, repeats // 3))
    return [row(f"diffusion: one image + trajectory ({D.DEFAULT_STEPS} DDIM steps)", single, goal_ms=300, cpu_ms=cpu1),
            row("diffusion: 64-image grid (20 DDIM steps)", grid, goal_ms=2000, cpu_ms=cpu64)]


def steps_table(model: D.UNet, counts: tuple[int, ...] = STEP_COUNTS, n: int = 500, repeats: int = 5,
                judge_model: J.Judge | None = None, sampler: str = "ddim") -> list[dict]:
    """What the steps slider costs: ms per image (with its strip) and the quality at each step count."""
    judge_model, reference = judged_by(judge_model)
    rows = []
    for steps in counts:
        times, cpu = cpu_timed(lambda i: one_image(model, steps, seed=i, sampler=sampler), repeats)
        q = evaluate(model, n, judge_model, reference, steps=steps, sampler=sampler)
        rows.append(row(f"{steps} {sampler.upper()} steps", times, cpu_ms=cpu, asked_digit=round(q["asked_digit"], 3),
                        recognised=round(q["recognised"], 3), frechet=round(q["frechet_test"], 2)))
    return rows


CARD_STEPS = (2, 5, 10, 20, 50, 100)


def write_steps_card(model: D.UNet, path: str | Path = D.DEFAULT_PATH, counts: tuple[int, ...] = CARD_STEPS,
                     n: int = 500) -> list[dict]:
    """Store the steps table of both samplers in the checkpoint's card.json ("steps_table"): what the
    tab's "what the steps cost" note reads (CPU ms per image with its strip, one thread: on a busy
    machine wall time also counts the other processes; asked digit; Frechet distance)."""
    import json

    rows = []
    for sampler in D.SAMPLERS:
        for r in steps_table(model, counts, n, repeats=3, sampler=sampler):
            rows.append({"sampler": sampler, "steps": int(r["action"].split()[0]), "ms_per_image": r["cpu_ms"],
                         "asked_digit": r["asked_digit"], "recognised": r["recognised"], "frechet": r["frechet"]})
    card_path = Path(path) / "card.json"
    card = json.loads(card_path.read_text())
    card["steps_table"] = {"n": n, "guidance": D.DEFAULT_GUIDANCE, "rows": rows}
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    return rows


def guidance_table(model: D.UNet, values: tuple[float, ...] = GUIDANCES, n: int = 1000,
                   judge_model: J.Judge | None = None) -> list[dict]:
    """What the guidance slider does: asked-digit share, recognised share and Frechet distance."""
    judge_model, reference = judged_by(judge_model)
    rows = []
    for g in values:
        q = evaluate(model, n, judge_model, reference, guidance=g)
        rows.append({"guidance": g, "asked_digit": round(q["asked_digit"], 3), "recognised": round(q["recognised"], 3),
                     "frechet": round(q["frechet_test"], 2)})
    return rows


def card_metrics(model: D.UNet, judge_path: str | Path = J.DEFAULT_PATH, data: str | Path = mnist.DEFAULT_PATH,
                 n: int = 1000) -> dict:
    """The headline numbers of a diffusion checkpoint's card (empty if there is no judge yet)."""
    try:
        judge_model = J.load(str(judge_path))
    except ValueError:
        return {}
    reference = J.test_features(judge_path, data)
    q = evaluate(model, n, judge_model, reference)
    ddpm = evaluate(model, n, judge_model, reference, sampler="ddpm")
    real = J.real_rows(judge_model, data, n)
    return {"asked_digit": q["asked_digit"], "recognised": q["recognised"], "frechet_test": q["frechet_test"],
            "min_class": q["min_class"], "max_class": q["max_class"], "histogram": q["histogram"],
            "ddpm_asked_digit": ddpm["asked_digit"], "ddpm_frechet_test": ddpm["frechet_test"],
            "real_test_recognised": real["real test"]["recognised"],
            f"real_train_{n}_frechet_test": real[f"real train ({n:,})"]["frechet_test"],
            "sampling": f"DDIM, {D.DEFAULT_STEPS} steps, guidance {D.DEFAULT_GUIDANCE:g}, n={n}"}


def save_grid(model: D.UNet, out: str | Path, seed: int = 0) -> Path:
    """A 10x10 PNG: row d holds ten samples of digit d (DDIM, default steps and guidance)."""
    x = D.sample(model, [i // 10 for i in range(100)], seed=seed).images
    render.grid(x, nrow=10).save(out)
    return Path(out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Quality and speed of the diffusion model.")
    p.add_argument("--model", default=str(D.DEFAULT_PATH))
    p.add_argument("--n", type=int, default=1000, help="samples for the quality row")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="200 samples, fewer timing repeats")
    p.add_argument("--steps-card", action="store_true", help="only write the steps table into the model's card.json")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.steps_card:
        print(table("What the steps slider costs", write_steps_card(D.load(args.model), args.model)))
        return
    model, n = D.load(args.model), 200 if args.quick else args.n
    rows = J.real_rows()
    rows["diffusion (DDIM 20)"] = evaluate(model, n)
    rows["diffusion (DDPM 20)"] = evaluate(model, n, sampler="ddpm")
    quality = [{"images": k, "asked_digit": r["asked_digit"], "recognised": r["recognised"],
                "min_class": r["min_class"], "max_class": r["max_class"], "frechet_test": r["frechet_test"]}
               for k, r in rows.items()]
    print(table("Diffusion quality (judge: mnist-judge)", quality))
    for k, r in rows.items():
        print(f"{k} histogram: " + " ".join(f"{v:.3f}" for v in r["histogram"]))
    print(table("Diffusion speed", latency(model, 4 if args.quick else 10)))
    print(table("What the steps slider costs", steps_table(model, n=n, repeats=3 if args.quick else 5)))
    print(table("What the guidance slider does (DDIM, 20 steps)", guidance_table(model, n=n)))


if __name__ == "__main__":
    main()
