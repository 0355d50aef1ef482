"""Provenance written into every file a visitor downloads: that it was generated, by which model
(name and checkpoint hash), from which seed and parameters, and when.

    img.save(path, pnginfo=png_info(gen))   # a PNG text chunk "provenance"
    add_to_midi(pretty_midi_obj, gen)       # a MIDI text meta event on the first track
    add_to_wav(path, gen)                   # a RIFF LIST/INFO chunk (ICMT comment, ISFT software)
    record(gen)                             # the same facts as a dict, for JSON files
"""
from __future__ import annotations

import json
import struct
import time
from pathlib import Path
from typing import Any

from playground.generation import Generation

SOFTWARE = "Generative AI Playground"


def record(gen: Generation) -> dict[str, Any]:
    """The provenance facts of one output."""
    return {"generated_by": SOFTWARE, "ai_generated": True, "modality": gen.modality, "model": gen.model,
            "model_hash": gen.model_hash, "seed": gen.params.get("seed"), "params": gen.params,
            "generation_id": gen.id,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(gen.created))}


def text(gen: Generation) -> str:
    """The facts as one line of JSON."""
    return json.dumps(record(gen), separators=(",", ":"), default=str)


def png_info(gen: Generation):
    """A ``PngInfo`` carrying the facts (``img.save(path, pnginfo=...)``)."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("provenance", text(gen))
    info.add_text("Software", SOFTWARE)
    return info


def add_to_midi(midi, gen: Generation) -> None:
    """Add the facts as a text meta event at time 0 to a ``pretty_midi.PrettyMIDI``."""
    import pretty_midi

    midi.text_events.append(pretty_midi.Text(text(gen), 0.0))


def add_to_wav(path: str | Path, gen: Generation) -> Path:
    """Append a LIST/INFO chunk (ICMT = the facts, ISFT = the software) to a RIFF WAVE file."""
    path = Path(path)
    data = bytearray(path.read_bytes())
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path.name} is not a WAV file.")

    def sub(tag: bytes, value: str) -> bytes:
        raw = value.encode("utf-8") + b"\0"
        return tag + struct.pack("<I", len(raw)) + raw + (b"\0" if len(raw) % 2 else b"")

    body = b"INFO" + sub(b"ICMT", text(gen)) + sub(b"ISFT", SOFTWARE)
    data += b"LIST" + struct.pack("<I", len(body)) + body
    data[4:8] = struct.pack("<I", len(data) - 8)
    path.write_bytes(bytes(data))
    return path


def read_wav_comment(path: str | Path) -> str | None:
    """The ICMT text of a WAV's LIST/INFO chunk (None when absent)."""
    data = Path(path).read_bytes()
    i = 12
    while i + 8 <= len(data):
        tag, size = data[i:i + 4], struct.unpack("<I", data[i + 4:i + 8])[0]
        if tag == b"LIST" and data[i + 8:i + 12] == b"INFO":
            j = i + 12
            while j + 8 <= i + 8 + size:
                t, n = data[j:j + 4], struct.unpack("<I", data[j + 4:j + 8])[0]
                if t == b"ICMT":
                    return data[j + 8:j + 8 + n].rstrip(b"\0").decode("utf-8")
                j += 8 + n + (n % 2)
        i += 8 + size + (size % 2)
    return None
