"""Muon: momentum, orthogonalised by a Newton-Schulz iteration (Keller Jordan, 2024).

For the 2-D weight matrices inside the transformer blocks; embeddings, norms and biases stay
with AdamW. Each update is the momentum matrix with its singular values pushed towards 1, so
every direction of a weight learns at a similar rate; in small-GPT speedruns this reaches a
given loss in markedly fewer steps than AdamW.
"""
from __future__ import annotations

import torch


def orthogonalize(g: torch.Tensor, steps: int = 5) -> torch.Tensor:
    """Approximately ``U V^T`` of ``g = U S V^T`` (quintic Newton-Schulz, bfloat16)."""
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.bfloat16()
    tall = x.size(0) > x.size(1)
    if tall:
        x = x.T
    x = x / (x.norm() + 1e-7)
    for _ in range(steps):
        m = x @ x.T
        x = a * x + (b * m + c * m @ m) @ x
    return (x.T if tall else x).to(g.dtype)


class Muon(torch.optim.Optimizer):
    """SGD-momentum (Nesterov) whose update is orthogonalised; only for 2-D parameters."""

    def __init__(self, params, lr: float = 0.02, momentum: float = 0.95, weight_decay: float = 0.0,
                 ns_steps: int = 5, in_by_out: bool = False):
        """``in_by_out``: weights are stored (fan_in, fan_out), as GPT-2's Conv1D does."""
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, ns_steps=ns_steps,
                                      in_by_out=in_by_out))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "buf" not in state:
                    state["buf"] = torch.zeros_like(p.grad)
                buf = state["buf"]
                buf.lerp_(p.grad, 1 - group["momentum"])
                update = p.grad.lerp(buf, group["momentum"])  # Nesterov
                update = orthogonalize(update, group["ns_steps"])
                if group["weight_decay"]:
                    p.mul_(1 - group["lr"] * group["weight_decay"])
                fan_out, fan_in = (p.size(1), p.size(0)) if group["in_by_out"] else (p.size(0), p.size(1))
                scale = max(1.0, fan_out / fan_in) ** 0.5
                p.add_(update, alpha=-group["lr"] * scale)
        return None
