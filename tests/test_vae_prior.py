"""The VAE's learned prior: the flow is invertible with the right density, fitting it lowers the
held-out latent NLL, and a VAE saved with it loads and draws the same digits for the same seed."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import playground.images as images
from playground.images import catalog, data
from playground.images.latent_flow import LatentFlow
from playground.images.params import Params
from playground.images.vae import VAE, VAEConfig
from playground.train import vae_prior
from playground.train.loop import LoopConfig


@pytest.mark.parametrize("n_classes", [0, 10])
def test_flow_inverts_and_its_density_is_a_change_of_variables(n_classes):
    torch.manual_seed(0)
    flow = LatentFlow(6, layers=4, hidden=16, n_classes=n_classes)
    for p in flow.parameters():  # not the identity it starts as
        p.data.normal_(0, 0.3)
    flow.loc.fill_(0.5)
    flow.log_scale.fill_(0.2)
    c = torch.eye(10)[torch.arange(5)] if n_classes else None
    eps = torch.randn(5, 6)
    z = flow(eps, c)
    back, logdet = flow.inverse(z, c)
    assert torch.allclose(back, eps, atol=1e-5)
    # log |d eps / d z| from autograd's Jacobian agrees with the flow's own
    for i in range(2):
        ci = None if c is None else c[i:i + 1]
        jac = torch.autograd.functional.jacobian(lambda v: flow.inverse(v[None], ci)[0][0], z[i].detach())
        assert math.isclose(torch.linalg.slogdet(jac)[1].item(), logdet[i].item(), rel_tol=1e-4, abs_tol=1e-4)
    gauss = -0.5 * (eps.pow(2).sum(1) + 6 * math.log(2 * math.pi))
    assert torch.allclose(flow.log_prob(z, c), gauss + logdet, atol=1e-4)


def test_fitting_the_prior_lowers_the_held_out_latent_nll():
    torch.manual_seed(0)
    tr, te = data.load("train"), data.load("test")
    tr = data.DigitsSplit(tr.x[:1000], tr.y[:1000], tr.indices[:1000])
    te = data.DigitsSplit(te.x[:300], te.y[:300], te.indices[:300])
    # the bundled VAE's weights, on its N(0, I) prior: its encoder clusters the digits
    vae = VAE(VAEConfig(flow_layers=4, flow_hidden=32))
    state = catalog.load("vae-digits").module.state_dict()
    vae.load_state_dict({k: v for k, v in state.items() if not k.startswith("flow.")})
    vae.eval()
    mu, sd, _ = vae_prior.posteriors(vae, te)
    z = mu + sd * torch.randn(mu.shape, generator=torch.Generator().manual_seed(1))
    normal_nll = -vae.prior_log_prob(z).mean().item()  # no flow yet: N(0, I)
    last = vae_prior.fit_prior(vae, tr, te, LoopConfig(max_steps=200, max_minutes=2, eval_interval=50))
    assert vae.flow is not None and vae.config.prior == "flow"
    assert last["best"] < normal_nll - 1.0  # nats per digit
    rec, kl = vae.elbo(te.x[:4])
    assert torch.isfinite(rec).all() and torch.isfinite(kl).all()


def test_a_vae_with_its_prior_saves_loads_and_draws_by_seed(tmp_path):
    torch.manual_seed(0)
    vae = VAE(VAEConfig(ch=8, flow_layers=2, flow_hidden=16))
    for p in vae.add_flow().parameters():
        p.data.normal_(0, 0.2)
    folder = catalog.save(vae.eval(), tmp_path / "vae-flow")
    m = images.load(str(folder))
    assert m.module.flow is not None and m.config["prior"] == "flow"
    a, b = (images.generate(m, Params(seed=5, n=4)) for _ in range(2))
    assert np.array_equal(np.asarray(a.media["grid"]), np.asarray(b.media["grid"]))
    # the drawn image is the decoder's mean of the flow's latent for the seed's noise
    noise = torch.tensor([a.output["latent"]])
    with torch.inference_mode():
        want = m.module.decode_latent(m.module.flow(noise))
        assert torch.allclose(m.module.decode(noise), want)
        assert not torch.allclose(want, m.module.decode_latent(noise))


def test_the_bundled_vae_draws_from_its_learned_prior():
    info = catalog.find("vae-digits")
    assert info.facts["prior"] == "flow"
