"""Shared test set-up: offline Hub, a throw-away data dir, few torch threads."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pytest  # noqa: E402
import torch  # noqa: E402

# Tiny models and many small calls: one thread each is several times faster on 2 shared cores
# than threads waiting on each other (32 GAN steps: 0.6-1.0 s with 1 thread, 18-40 s with 2).
torch.set_num_threads(1)


@pytest.fixture(autouse=True, scope="session")
def _data_dir(tmp_path_factory):
    """Everything the app writes during tests goes to a temporary data dir."""
    from playground import config

    path = tmp_path_factory.mktemp("playground-data")
    os.environ["PLAYGROUND_DATA_DIR"] = str(path)
    config.set_data_dir(path)
    yield path


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def chromium_page(url: str, setup=None, locale: str | None = None, ready: str = "Text", timeout_ms: int = 60_000):
    """A context manager: Debian's headless Chromium (via Playwright) showing the app at ``url``.

    ``setup(page)`` runs before the page loads (e.g. to listen to its requests); ``locale`` is the
    browser's language (e.g. "es-ES"); the page is ready when the tab named ``ready`` shows;
    ``timeout_ms`` is every wait's default limit. Skips
    the calling test, with the reason, where Chromium is not installed.
    """
    import contextlib
    import shutil

    path = shutil.which("chromium") or CHROMIUM
    if not Path(path).exists():
        pytest.skip("Chromium is not installed (Debian package 'chromium'); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    @contextlib.contextmanager
    def _page():
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            try:
                pg = browser.new_page(viewport={"width": 1280, "height": 1000}, locale=locale)
                pg.set_default_timeout(timeout_ms)
                if setup:
                    setup(pg)
                pg.goto(url)
                pg.get_by_role("tab", name=ready).wait_for()
                yield pg
            finally:
                browser.close()

    return _page()
