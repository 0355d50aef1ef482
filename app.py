"""Generative AI Playground: see how generative models create text, images and music.

    python app.py                      # http://127.0.0.1:7860, offline, bundled models
    python app.py --text-model distilgpt2 --share
    python app.py --mcp                # also an MCP server for AI assistants: /gradio_api/mcp/
"""
from __future__ import annotations

import argparse
import os

import gradio as gr

from playground import config
from tabs import a11y, feedback, i18n, images, links, mcp_tools, music, text, tours
from tabs.i18n import t

TITLE = "Generative AI Playground"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Generative AI Playground (Gradio app)")
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                   help="address to bind (a Space sets GRADIO_SERVER_NAME=0.0.0.0)")
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    p.add_argument("--share", action="store_true", help="also open a public gradio.live link (needs internet)")
    p.add_argument("--text-model", default=str(config.DEFAULT_TEXT_MODEL),
                   help="a local model folder or a Hugging Face Hub id (e.g. distilgpt2; needs internet)")
    p.add_argument("--data-dir", help="where ratings, fine-tuned models and exports are stored")
    p.add_argument("--admin-secret", default=os.environ.get("PLAYGROUND_ADMIN_SECRET"),
                   help="password for the feedback comments and exports (env PLAYGROUND_ADMIN_SECRET)")
    p.add_argument("--mcp", action="store_true", default=os.environ.get("GRADIO_MCP_SERVER", "").lower() == "true",
                   help="also serve the generators as MCP tools at /gradio_api/mcp/ (env GRADIO_MCP_SERVER=true)")
    return p.parse_args(argv)


def build_demo(args: argparse.Namespace) -> gr.Blocks:
    """The whole app as one ``gr.Blocks`` (no model is loaded until first use)."""
    if args.data_dir:
        config.set_data_dir(args.data_dir)
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(t("app.intro"))
        with links.tabs():  # ?tab=, ?present=1 and a bad link's notice (tabs/links.py)
            with gr.Tab(t("tab.text"), id="text", elem_id="tab-text"):
                tours.build("text")
                text.build(args.text_model)
            with gr.Tab(t("tab.images"), id="images", elem_id="tab-images"):
                tours.build("images")
                images.build()
            with gr.Tab(t("tab.music"), id="music", elem_id="tab-music"):
                tours.build("music")
                music.build()
            with gr.Tab(t("tab.feedback"), id="feedback", elem_id="tab-feedback"):
                tours.build("feedback")
                feedback.build(getattr(args, "admin_secret", None))
        if getattr(args, "mcp", False):  # the generators as MCP tools (tabs/mcp_tools.py)
            mcp_tools.build(args.text_model)
            mcp_tools.only_tools_in_api(demo)
    demo.queue(default_concurrency_limit=4)
    return demo


def launch_options() -> dict:
    """What Gradio 6 takes in ``launch``: the accessible theme, Spanish, and the page scripts."""
    from starlette.middleware import Middleware

    return {"theme": a11y.theme(), "css": a11y.CSS, "i18n": i18n.i18n(), "head": a11y.FIX_JS + links.TAB_PICKED_JS,
            "app_kwargs": {"middleware": [Middleware(i18n.LangFromQuery)]}}


if __name__ == "__main__":
    config.serve_settings()  # one torch thread per call, a 0.5 ms GIL switch interval
    args = parse_args()
    demo = build_demo(args)
    config.settle_heap(collect=True)  # what is alive now stays out of full garbage collections
    demo.launch(server_name=args.host, server_port=args.port, share=args.share, mcp_server=args.mcp,
                **launch_options())
