"""Latent-space helpers: seeded noise, spherical interpolation, principal directions."""
