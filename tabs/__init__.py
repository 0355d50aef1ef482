"""One thin Gradio module per tab; each exposes ``build(...)``, called by ``app.py``."""
