"""Loss curves as PIL images (for the model folder and the tab's "watch it learn")."""
from __future__ import annotations

import io

from PIL import Image


def loss_curve(history: list[dict[str, float]], x_label: str = "epoch",
               size: tuple[float, float] = (5, 3)) -> Image.Image:
    """One line per loss key over the history (one dict of losses per point)."""
    import matplotlib  # imported on first use: keeps app start-up fast

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size, dpi=100)
    for key in (history[0] if history else {}):
        ax.plot(range(1, len(history) + 1), [h[key] for h in history], label=key)
    ax.set_xlabel(x_label)
    ax.set_ylabel("loss")
    if history:
        ax.legend(loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    buf.seek(0)
    return Image.open(buf).convert("RGB")
