"""Measure the playground: ``python -m playground.bench [all|startup|text|image|music|feedback|load] [--quick]``.

Prints one narrow table per section. Every row is real work timed on this machine with the one
timing helper and percentile of ``playground.timing``:
- startup: ``python app.py`` launched as a subprocess until its first page is served;
- text / image / music: each modality's own ``bench(quick)`` (``playground.registry``);
- feedback: the store and the learning hooks (``playground.feedback_bench``);
- load: 30 ``gradio_client`` sessions streaming 200 tokens at once (10 rounds, 3 with --quick), server
  memory after each round and at its peak, then 30 sessions moving an image slider at once (as the
  page sends the moves, and through gradio_client).
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
from typing import Callable

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


LOAD_USERS, LOAD_TOKENS, LOAD_ROUNDS, SLIDER_MOVES = 30, 200, 10, 5
# plain http on localhost: no certificate bundle to load (38 ms per request with it, in the client
# process that shares these 2 cores with the server), no analytics calls from an offline machine
CLIENT = {"ssl_verify": False, "analytics_enabled": False}


def _rss_mb(pid: int, key: str = "VmRSS") -> float:
    """Resident memory of process ``pid`` now (VmRSS) or at its peak (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _at_once(clients: list, call: Callable) -> list:
    """``call(client, i)`` for every client in its own thread, all released at the same moment."""
    start = threading.Barrier(len(clients))

    def run(i: int):
        start.wait()
        try:
            return call(clients[i], i)
        except Exception as e:  # one failed session is a counted error, not a failed bench
            return e
    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(run, range(len(clients))))


def _stream_text(client, seed: int, tokens: int) -> tuple[float, float]:
    """One streamed /generate call: seconds to its first update and to its full text."""
    t0, first = time.perf_counter(), None
    job = client.submit(str(config.DEFAULT_TEXT_MODEL), "ROMEO:", tokens, 0.8, 0, 1.0, seed, 1,
                        api_name="/generate")
    while not job.done():  # a light poll: the client appends each streamed update to job.outputs()
        if first is None and job.outputs():
            first = time.perf_counter() - t0
        time.sleep(0.01)
    text = job.result()[0]
    total = time.perf_counter() - t0
    if len(text) != tokens:
        raise RuntimeError(f"{len(text)} characters instead of {tokens}")
    return total if first is None else first, total


def _move_slider(client, i: int, moves: int) -> list[float]:
    """``moves`` /move calls of the images tab through gradio_client, which always joins the queue
    (the page does not: ``_page_mover``), one after the other: client-side seconds each."""
    times = []
    for j in range(moves):
        t0 = time.perf_counter()
        client.predict("gan-digits", i, "any", False, 0, (j + 1) / moves, 0, 0, 0, 0, 0, api_name="/move")
        times.append(time.perf_counter() - t0)
    return times


def _page_mover(app: ServedApp, client) -> Callable[[int, int], list[float]]:
    """The same moves as the page sends them (the move event skips the queue): one POST to
    /gradio_api/run/predict naming the event, in the client's session, then a GET of the picture,
    as the page's <img> does (checked in Chromium: tests/test_browser.py)."""
    import httpx

    base = app.url + "gradio_api"
    fn_index = next(d["id"] for d in httpx.get(app.url + "config").json()["dependencies"]
                    if d.get("api_name") == "move")
    defaults = [p["parameter_default"] for p in
                httpx.get(base + "/info").json()["named_endpoints"]["/move"]["parameters"]]
    http = httpx.Client(timeout=60)

    def moves(i: int, n: int) -> list[float]:
        times = []
        for j in range(n):
            data = ["gan-digits", i, "any", False, 0, (j + 1) / n, 0, 0, 0, 0, 0] + defaults[11:]
            t0 = time.perf_counter()
            r = http.post(base + "/run/predict", json={"data": data, "fn_index": fn_index,
                                                       "session_hash": client.session_hash})
            r.raise_for_status()
            http.get(r.json()["data"][0]["url"]).raise_for_status()
            times.append(time.perf_counter() - t0)
        return times
    return moves


def _load_text_rounds(app: ServedApp, clients: list, rounds: int, tokens: int) -> list[dict]:
    """``rounds`` rounds of every client streaming ``tokens`` tokens at once; memory after each."""
    firsts, fulls, errors, memory, ok = [], [], [], [], 0
    t0 = time.perf_counter()
    for r in range(rounds):
        for res in _at_once(clients, lambda c, i: _stream_text(c, r * 1000 + i, tokens)):
            if isinstance(res, Exception):
                errors.append(f"{type(res).__name__}: {str(res)[:80]}")
            else:
                firsts.append(res[0]), fulls.append(res[1])
                ok += 1
        memory.append(round(_rss_mb(app.proc.pid)))
    wall, n = time.perf_counter() - t0, len(clients)
    load = round(os.getloadavg()[0], 1)
    return [row(f"{n} sessions x {tokens} tokens at once: first streamed update", firsts, goal_ms=500,
                load_avg=load),
            row(f"{n} sessions x {tokens} tokens at once: full text", fulls, goal_ms=3000,
                requests_per_s=round(ok / wall, 2), errors=len(errors), load_avg=load,
                note="; ".join(sorted(set(errors)))[:200] or None),
            row(f"server memory after each of {rounds} rounds (MB)", None, rss_mb=" ".join(map(str, memory)),
                growth_mb=memory[-1] - memory[0], peak_mb=round(_rss_mb(app.proc.pid, "VmHWM")))]


def bench_load(quick: bool = False, users: int = LOAD_USERS, tokens: int = LOAD_TOKENS) -> list[dict]:
    """Many gradio_client sessions at once: text streaming, then image slider moves, and memory."""
    from gradio_client import Client

    rounds = 3 if quick else LOAD_ROUNDS
    with ServedApp() as app:
        with ThreadPoolExecutor(8) as pool:
            clients = list(pool.map(lambda _: Client(app.url, verbose=False, **CLIENT), range(users)))
        _at_once(clients, lambda c, i: _stream_text(c, i, 8))  # warm-up: models load, each session opens
        rows = _load_text_rounds(app, clients, rounds, tokens)
        movers = [_page_mover(app, c) for c in clients]
        for how, move in (("as the page sends them", lambda c, i, n: movers[i](i, n)),
                          ("through gradio_client's queue route", _move_slider)):
            _at_once(clients, lambda c, i: move(c, i, 1))
            moves = _at_once(clients, lambda c, i: move(c, i, SLIDER_MOVES))
            times = [t for m in moves if not isinstance(m, Exception) for t in m]
            rows.append(row(f"{users} sessions moving an image slider at once ({SLIDER_MOVES} moves each, {how})",
                            times, goal_ms=300, errors=sum(isinstance(m, Exception) for m in moves),
                            load_avg=round(os.getloadavg()[0], 1)))
        return rows + [row("server peak memory, after the slider moves too", None,
                           peak_mb=round(_rss_mb(app.proc.pid, "VmHWM")))]


PARTS = ["startup", *registry.names(), "feedback", "load"]


def section(name: str, quick: bool) -> list[dict]:
    """The rows of one section of the table."""
    if name == "startup":
        return bench_startup(2 if quick else 3)
    if name == "load":
        return bench_load(quick)
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
        rows = section(w, args.quick)
        timed_rows = [r for r in rows if "p50_ms" in r or "playground" in r]  # latency first, then the rest
        print(table(w.capitalize(), timed_rows), flush=True)
        if len(timed_rows) < len(rows):
            print(table(f"{w.capitalize()}: quality", [r for r in rows if r not in timed_rows]), flush=True)


if __name__ == "__main__":
    main()
