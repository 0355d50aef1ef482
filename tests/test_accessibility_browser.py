"""axe-core, the accessibility engine, on every tab of the served app in Chromium.

Fails on any violation whose impact is serious or critical, and prints each one (rule, impact,
the elements). axe-core comes from npm into a git-ignored folder::

    npm install --prefix .cache/axe axe-core

Skips with the reason where Chromium or axe-core is missing. ``EXCLUDED`` lists the few
rule + selector pairs that only Gradio itself can fix (README, "Accessibility").
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import chromium_page
from playground import config
from playground.bench import ServedApp

pytestmark = pytest.mark.browser
AXE = config.ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TABS = ["Text", "Images", "Music", "Feedback"]
BAD = {"serious", "critical"}
# (rule id, CSS selector of the element) that only Gradio can fix; README "Accessibility"
EXCLUDED: set[tuple[str, str]] = set()


def axe_script() -> str:
    """The text of axe.min.js, or skip the test with how to install it."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE}); run: npm install --prefix .cache/axe axe-core")
    return AXE.read_text()


def violations(page, script: str) -> list[dict]:
    """axe-core's serious and critical violations on the visible page, minus ``EXCLUDED``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=script)
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                      why: n.failureSummary}))}));
    }""")
    out = []
    for v in found:
        nodes = [n for n in v["nodes"] if (v["id"], n["target"]) not in EXCLUDED]
        if v["impact"] in BAD and nodes:
            out.append({**v, "nodes": nodes})
    return out


def report(tab: str, found: list[dict]) -> str:
    """One readable block per violation: rule, impact, count, and each element."""
    lines = [f"{tab}: {len(found)} serious/critical axe rule(s) violated"]
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']}")
        lines += [f"    {n['target']}  {n['html']}\n      {n['why']}" for n in v["nodes"]]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    script = axe_script()
    with ServedApp(data_dir=str(tmp_path_factory.mktemp("a11y"))) as app, chromium_page(app.url) as pg:
        pg.axe_script = script
        yield pg


@pytest.mark.parametrize("tab", TABS)
def test_no_serious_or_critical_axe_violations(page, tab):
    page.get_by_role("tab", name=tab, exact=True).click()
    page.locator(f"#tab-{tab.lower()}").wait_for()
    page.wait_for_timeout(1500)  # charts and the first sample paint after the tab opens
    found = violations(page, page.axe_script)
    Path(config.ROOT / ".cache" / "axe" / f"{tab.lower()}.json").write_text(json.dumps(found, indent=1))
    print(report(tab, found))
    assert not found, report(tab, found)
