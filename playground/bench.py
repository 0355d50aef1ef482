"""Measure the playground: ``python -m playground.bench [all|startup|text|images|music|load] [--quick]``.

Prints one table. Every row is real work timed on this machine:
- startup: ``python app.py`` launched as a subprocess until its first page is served;
- text: time to first token and streamed tokens/s of the bundled model, next to the stock
  ``transformers.pipeline("text-generation")`` on the same model with the same sampling settings,
  in the same run (ratio > 1 means the playground is faster);
- images / music: each modality's own ``bench.run()`` (latency p50/p95 of its main actions);
- load: 20 concurrent simulated users through ``gradio_client`` against the served app
  (throughput, errors), and the server's peak memory.
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playground import config

ROOT = config.ROOT


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``."""
    v = sorted(values)
    if not v:
        return float("nan")
    i = min(len(v) - 1, max(0, round(q * (len(v) - 1))))
    return v[i]


def row(tab: str, action: str, times_s: list[float] | None = None, **extra) -> dict:
    """One table row; ``times_s`` become p50/p95 in milliseconds."""
    r = {"tab": tab, "action": action}
    if times_s:
        r.update(p50_ms=1000 * statistics.median(times_s), p95_ms=1000 * pct(times_s, 0.95), n=len(times_s))
    r.update(extra)
    return r


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedApp:
    """``python app.py`` on a free localhost port, for as long as the ``with`` block runs."""

    def __init__(self, data_dir: str | None = None, extra: list[str] | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.args = [sys.executable, str(ROOT / "app.py"), "--port", str(self.port)] + (extra or [])
        if data_dir:
            self.args += ["--data-dir", data_dir]
        self.startup_s = float("nan")

    def __enter__(self) -> "ServedApp":
        env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self._log: list[str] = []
        threading.Thread(target=lambda: self._log.extend(self.proc.stdout), daemon=True).start()
        while time.perf_counter() - t0 < 120:
            if self.proc.poll() is not None:
                raise RuntimeError("the app exited during start-up:\n" + "".join(self._log[-30:]))
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200 and r.read(100):
                        self.startup_s = time.perf_counter() - t0
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the app did not serve its page within 120 s")

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server process (VmHWM)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def bench_startup(repeats: int = 3) -> list[dict]:
    times = []
    for _ in range(repeats):
        with ServedApp() as app:
            times.append(app.startup_s)
    return [row("App", "start to first served page", times)]


def bench_text(quick: bool = False, tokens: int = 200) -> list[dict]:
    """Our streamed sampler vs the stock transformers pipeline, same model and settings."""
    import torch
    from transformers import TextIteratorStreamer, pipeline

    from playground import text as tx

    tm = tx.load(config.DEFAULT_TEXT_MODEL)
    repeats = 3 if quick else 7
    prompt = "ROMEO:\nO, she doth teach the torches"

    ours_ttft, ours_tps = [], []
    for seed in range(repeats):
        t0 = time.perf_counter()
        first, n = None, 0
        for _ in tx.stream(tm, tx.TextParams(prompt=prompt, max_new_tokens=tokens, temperature=0.8, seed=seed)):
            n += 1
            if first is None:
                first = time.perf_counter() - t0
        total = time.perf_counter() - t0
        ours_ttft.append(first)
        ours_tps.append(n / total)

    pipe = pipeline("text-generation", model=str(config.DEFAULT_TEXT_MODEL), device="cpu")
    ref_ttft, ref_tps = [], []
    for seed in range(repeats):
        streamer = TextIteratorStreamer(pipe.tokenizer, skip_prompt=True)
        torch.manual_seed(seed)
        kwargs = dict(max_new_tokens=tokens, min_new_tokens=tokens, do_sample=True, temperature=0.8,
                      top_k=0, streamer=streamer, return_full_text=False)
        t0 = time.perf_counter()
        th = threading.Thread(target=pipe, args=(prompt,), kwargs=kwargs)
        th.start()
        first = None
        for chunk in streamer:
            if first is None and chunk:
                first = time.perf_counter() - t0
        th.join()
        total = time.perf_counter() - t0
        ref_ttft.append(first if first is not None else total)
        ref_tps.append(tokens / total)

    ours, ref = statistics.median(ours_tps), statistics.median(ref_tps)
    return [
        row("Text", "first token (playground)", ours_ttft),
        row("Text", "first token (stock pipeline)", ref_ttft),
        row("Text", f"streamed tokens/s, {tokens} tokens", None, playground=round(ours), pipeline=round(ref),
            ratio=round(ours / ref, 2), note=f"{tm.name}, {sum(p.numel() for p in tm.model.parameters()):,} params"),
    ]


def bench_modality(name: str, quick: bool) -> list[dict]:
    for module in (f"playground.{name}.bench", f"playground.{name}_bench"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        return mod.run(quick=quick)
    return [row(name.capitalize(), "no benchmark module", note="skipped")]


def bench_load(users: int = 20, per_user: int = 3) -> list[dict]:
    """``users`` concurrent gradio_client sessions calling the text tab's generate endpoint."""
    from gradio_client import Client

    with ServedApp() as app:
        ok, errors, latencies = 0, 0, []
        lock = threading.Lock()

        def user(i: int) -> None:
            nonlocal ok, errors
            client = Client(app.url, verbose=False)
            for j in range(per_user):
                t0 = time.perf_counter()
                try:
                    client.predict(str(config.DEFAULT_TEXT_MODEL), "ROMEO:", 40, 0.8, 0, 1.0, i * 100 + j, 1,
                                   api_name="/generate")
                    with lock:
                        ok += 1
                        latencies.append(time.perf_counter() - t0)
                except Exception:
                    with lock:
                        errors += 1

        t0 = time.perf_counter()
        with ThreadPoolExecutor(users) as pool:
            list(pool.map(user, range(users)))
        wall = time.perf_counter() - t0
        return [
            row("Load", f"{users} users x {per_user} text generations (40 tokens)", latencies,
                requests_per_s=round(ok / wall, 2), errors=errors),
            row("App", "server peak memory", None, peak_mb=round(app.peak_rss_mb())),
        ]


def format_table(rows: list[dict]) -> str:
    """A Markdown table of ``rows`` (union of their keys)."""
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]

    def cell(v) -> str:
        if isinstance(v, float):
            return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}" if abs(v) >= 0.1 else f"{v:.3f}"
        return "" if v is None else str(v)

    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(cell(r.get(k)) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


PARTS = ["startup", "text", "images", "music", "feedback", "load"]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m playground.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", nargs="*", help="any of: all (default), " + ", ".join(PARTS))
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    unknown = set(args.what) - set(PARTS) - {"all"}
    if unknown:
        p.error(f"unknown part(s): {', '.join(sorted(unknown))}; choose from all, {', '.join(PARTS)}")
    what = PARTS if not args.what or "all" in args.what else args.what
    rows: list[dict] = []
    for w in what:
        if w == "startup":
            rows += bench_startup(2 if args.quick else 3)
        elif w == "text":
            rows += bench_text(args.quick)
        elif w == "load":
            rows += bench_load()
        else:
            rows += bench_modality(w, args.quick)
    import torch

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), Python {platform.python_version()}\n")
    print(format_table(rows))


if __name__ == "__main__":
    main()
