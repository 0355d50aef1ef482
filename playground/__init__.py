"""Generative AI Playground: models, sampling, storage and training (no UI code here)."""
