"""Measure the playground: ``python -m playground.bench [all|startup|text|image|music|feedback|load] [--quick]``.

Prints one narrow table per section. Every row is real work timed on this machine with the one
timing helper and percentile of ``playground.timing``:
- startup: ``python app.py`` launched as a subprocess until its first page is served;
- text / image / music: each modality's own ``bench(quick)`` (``playground.registry``);
- feedback: the store and the learning hooks (``playground.feedback_bench``);
- load: 20 concurrent ``gradio_client`` users against the served app, and its peak memory.
"""
from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playground import config, registry
from playground.timing import row, table

ROOT = config.ROOT


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
    return [row("start to first served page", times)]


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
            row(f"{users} users x {per_user} text generations (40 tokens)", latencies,
                requests_per_s=round(ok / wall, 2), errors=errors),
            row("server peak memory", None, peak_mb=round(app.peak_rss_mb())),
        ]


PARTS = ["startup", *registry.names(), "feedback", "load"]


def section(name: str, quick: bool) -> list[dict]:
    """The rows of one section of the table."""
    if name == "startup":
        return bench_startup(2 if quick else 3)
    if name == "load":
        return bench_load()
    if name == "feedback":
        from playground import feedback_bench

        return feedback_bench.run(quick)
    return registry.get(name).bench(quick)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m playground.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", nargs="*", help="any of: all (default), " + ", ".join(PARTS))
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    what = ["image" if w == "images" else w for w in args.what]  # the tab's name works too
    unknown = set(what) - set(PARTS) - {"all"}
    if unknown:
        p.error(f"unknown part(s): {', '.join(sorted(unknown))}; choose from all, {', '.join(PARTS)}")
    import torch

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), Python {platform.python_version()}\n")
    for w in PARTS if not what or "all" in what else what:
        print(table(w.capitalize(), section(w, args.quick)), flush=True)


if __name__ == "__main__":
    main()
