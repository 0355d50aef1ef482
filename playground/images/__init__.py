"""Images from noise: a DCGAN and a convolutional VAE on scikit-learn's 8x8 handwritten digits.

    from playground.images import generate
    g = generate.sample("gan", seed=0)        # a Generation; g.media["image"] is a PIL image

Modules: ``data`` (digits, split), ``gan`` / ``vae`` (models + configs), ``sampling.latent``
(seeded noise, slerp, principal directions), ``classifier`` + ``metrics`` (quality),
``generate`` (what the tab calls), ``learn`` (training steps, shared by the CLI and the tab),
``bench``.
"""
