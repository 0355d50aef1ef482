"""``python app.py --mcp``: the generators as MCP tools, called through the real MCP protocol.

Off by default: without ``--mcp`` the app serves no MCP endpoint and lists the UI's endpoints as before.
"""
from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest

import app
from playground.bench import ServedApp

TOOLS = {"continue_text", "draw_digit", "harmonise_melody", "continue_chorale"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    pytest.importorskip("mcp", reason="the mcp package (requirements.txt) is not installed")
    with ServedApp(data_dir=str(tmp_path_factory.mktemp("mcp")), extra=["--mcp"]) as running:
        yield running


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def call_tools(url: str, calls: list[tuple[str, dict]]) -> tuple[list, list]:
    """List the tools and make ``calls`` over MCP's Streamable HTTP transport, as an assistant does."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def run():
        async with streamable_http_client(url) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = (await session.list_tools()).tools
                results = [await session.call_tool(name, args) for name, args in calls]
                return tools, results
    return asyncio.run(asyncio.wait_for(run(), 240))


def test_mcp_is_off_by_default():
    assert app.parse_args([]).mcp is False
    assert app.parse_args(["--mcp"]).mcp is True


def test_the_schema_lists_the_generators_with_their_descriptions(served):
    status, body = get(served.url + "gradio_api/mcp/schema")
    assert status == 200
    tools = {t["name"]: t for t in json.loads(body)}
    assert set(tools) == TOOLS  # the page's own events (votes, exports, ...) are not tools
    assert "Shakespeare" in tools["continue_text"]["description"]
    props = tools["continue_text"]["inputSchema"]["properties"]
    assert set(props) == {"prompt", "length", "temperature", "seed"}
    assert props["length"]["type"] == "integer" and "1-1000" in props["length"]["description"]
    assert "alto, tenor and bass" in tools["harmonise_melody"]["description"]
    assert tools["draw_digit"]["inputSchema"]["properties"]["model"]["enum"][0] == "cgan-digits"


def test_an_assistant_calls_the_tools_over_mcp(served):
    tools, (text, picture, harmony, chorale) = call_tools(served.url + "gradio_api/mcp/", [
        ("continue_text", {"prompt": "ROMEO:", "length": 20, "temperature": 0.8, "seed": 1}),
        ("draw_digit", {"digit": 3, "seed": 2}),
        ("harmonise_melody", {"notes": "C5 D5 E5:2 D5 C5:2", "seed": 1, "steps": 4}),
        ("continue_chorale", {"notes": "C5 D5 E5:2", "bars": 1, "seed": 1}),
    ])
    assert {t.name for t in tools} == TOOLS
    assert all(t.description for t in tools)
    assert not text.isError, text.content
    assert text.content[0].text.startswith("ROMEO:") and len(text.content[0].text) == len("ROMEO:") + 20
    assert not picture.isError and picture.content[0].type == "image"
    assert picture.content[0].mimeType == "image/png"
    assert not harmony.isError, harmony.content
    voices, midi, wav = (c.text for c in harmony.content)
    assert len(voices.splitlines()) == 4 and voices.startswith("Soprano")
    assert midi.endswith(".mid") and wav.endswith(".wav")
    assert get(midi)[0] == 200  # the files are served to the assistant
    assert not chorale.isError and chorale.content[0].text.startswith("Soprano: C5 D5 E5:2")


def test_a_bad_input_is_a_tool_error_with_the_sentence(served):
    _, (bad,) = call_tools(served.url + "gradio_api/mcp/", [("continue_text", {"prompt": "A", "temperature": 0})])
    assert bad.isError and "temperature" in bad.content[0].text.lower()


def test_without_mcp_no_endpoint_is_served_and_the_api_is_unchanged(tmp_path):
    demo = app.build_demo(app.parse_args(["--data-dir", str(tmp_path)]))
    names = set(demo.get_api_info()["named_endpoints"])
    assert "/generate" in names and not names & {"/" + t for t in TOOLS}
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, mcp_server=app.parse_args([]).mcp)
    try:
        assert get(url + "gradio_api/mcp/schema")[0] == 404
        assert get(url + "gradio_api/mcp/")[0] == 404
    finally:
        demo.close()
