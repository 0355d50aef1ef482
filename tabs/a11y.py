"""The page's accessible look: a theme with 4.5:1 contrast, and two fixes of Gradio's own markup.

    demo.launch(theme=a11y.theme(), head=a11y.FIX_JS)   # app.py (Gradio 6 takes both in launch)

axe-core (tests/test_accessibility_browser.py) reported on Gradio 6's default theme:
- ``color-contrast``: white on orange-500 primary buttons (2.8:1), and the soft grey of info
  text, slider ends and the footer (#bbbbc2 on white, 1.9:1). The theme below darkens both.
- ``aria-prohibited-attr``: Gradio's empty-output placeholder is a ``<div aria-label="Empty
  value">`` without a role; ``FIX_JS`` gives it ``role="img"`` (an icon that says "empty").
- ``svg-img-alt``: an empty Vega plot draws a ``<g role="graphics-symbol">`` with nothing in it
  and no name; ``FIX_JS`` hides such empty groups from assistive technology.
Both come from inside Gradio (README, "Accessibility"); a MutationObserver applies the fix to
every element Gradio adds later.
"""
from __future__ import annotations

import gradio as gr

from tabs.i18n import t

# Gradio floats an image's label over the picture's top-left corner, so it hid the first row of a
# digit grid; the picture starts below the label instead.
CSS = """
.block:has(> label[data-testid="block-label"].float) .image-container { padding-top: 2.2em; }
"""

FIX_JS = """
<script>
(() => {
  const fix = (root) => {
    root.querySelectorAll('div.empty[aria-label]:not([role])').forEach(el => el.setAttribute('role', 'img'));
    root.querySelectorAll('svg g[role="graphics-symbol"]:not([aria-label]):empty')
        .forEach(el => el.setAttribute('aria-hidden', 'true'));
  };
  const start = () => {
    fix(document);
    new MutationObserver(() => fix(document)).observe(document.body, {childList: true, subtree: true});
  };
  document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', start) : start();
})();
</script>
"""


def theme() -> gr.themes.Base:
    """Gradio's default theme with text and button colours at 4.5:1 or more on their background."""
    return gr.themes.Default().set(
        body_text_color_subdued="*neutral_600",        # info text, slider ends, footer: 7:1
        block_info_text_color="*neutral_600",
        button_primary_background_fill="*primary_700",  # white on orange-700: 5.2:1
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
    )


def picture(key: str, **kwargs) -> gr.Image:
    """A ``gr.Image`` labelled ``t(key)``, which is also its alt text: screen readers name the
    picture, and Gradio's click-to-enlarge button around it, by it (axe-core ``button-name``
    failed on the Images tab once its first sample painted within a second)."""
    label = t(key)
    return gr.Image(label=label, alt_text=label, **kwargs)
