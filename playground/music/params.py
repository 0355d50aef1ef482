"""What one composition takes, validated and converted in one place.

    p = Params(mode="harmonise", source="notes", notes="E5 D5 C5:2", key_lock=True, seed=3)
    Params.from_dict({"bars": "8", "seed": 7.0}).bars      # 8: strings and whole floats convert
    Params(bars=3.5)                                         # ValueError: The length in bars must be ...

Fields that the chosen ``source`` does not use are cleared (``notes`` "", ``chorale`` and
``midi`` None), so the stored parameters say exactly what made the output.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playground import contract
from playground.music.notes import parse_melody

MODES = ("continue", "harmonise")
SOURCES = ("notes", "chorale", "midi")
INSTRUMENTS = ("choir", "organ", "strings")  # General MIDI sounds for FluidSynth (see playground.music.sound)
MAX_BARS = 32
MAX_GIBBS_STEPS = 128
MAX_NOTES_CHARS = 20_000  # far more than 64 bars of typed 16th notes
DEFAULT_NOTES = "G4 G4 D5 D5 E5 E5 D5:2 C5 C5 B4 B4 A4 A4 G4:2"


@dataclass
class Params(contract.ParamsMixin):
    """The inputs of ``playground.music.generate``; constructing it validates every field."""

    ALIASES = {"midi_path": "midi"}  # the keyword of the first version's generate()

    mode: str = field(default="continue", metadata={"help": "continue (add bars) or harmonise (keep the melody, "
                                                           "write alto, tenor, bass)"})
    source: str = field(default="notes", metadata={"help": "the seed: notes (typed), chorale (a test chorale's "
                                                           "opening) or midi (a file)"})
    notes: str = field(default=DEFAULT_NOTES, metadata={"help": "a melody such as 'C4 E4:0.5 G4:2 R C5' "
                                                                "(length in beats after a colon, R = rest)"})
    chorale: int | None = field(default=None, metadata={"help": "0-based index of the chorale opening (default 0)"})
    midi: str | None = field(default=None, metadata={"help": "path of a MIDI file (a melody, or four tracks S/A/T/B)"})
    bars: int = field(default=8, metadata={"help": f"bars to add when continuing (1-{MAX_BARS})"})
    temperature: float = field(default=1.0, metadata={"help": "0.05-3: lower = safer, higher = more adventurous"})
    tempo: float = field(default=90.0, metadata={"help": "quarter notes per minute (30-240)"})
    seed: int = field(default=0, metadata={"help": "0 to 2**31 - 1; the same seed gives the same notes"})
    key_lock: bool = field(default=False, metadata={"help": "harmonise: keep alto, tenor and bass in the "
                                                             "melody's key"})
    steps: int = field(default=32, metadata={"help": f"harmonise: Gibbs sampling passes of the Coconet "
                                                     f"harmoniser (1-{MAX_GIBBS_STEPS})"})
    instrument: str = field(default="choir", metadata={"help": "the sound of the audio: " + ", ".join(INSTRUMENTS)})

    def __post_init__(self) -> None:
        self.mode = contract.choice(self.mode, "mode", MODES)
        self.source = contract.choice(self.source, "seed source", SOURCES)
        self.notes = contract.text(self.notes, "melody", MAX_NOTES_CHARS) if self.source == "notes" else ""
        if self.source == "notes":
            parse_melody(self.notes)  # names the first bad note, duration or an empty seed
        chorale = 0 if self.chorale is None else self.chorale
        self.chorale = contract.whole(chorale, "chorale number", 0) if self.source == "chorale" else None
        if self.source == "midi" and not self.midi:
            raise ValueError("Upload a MIDI file first.")
        self.midi = str(self.midi) if self.source == "midi" else None
        self.bars = contract.whole(self.bars, "length in bars", 1, MAX_BARS)
        self.temperature = contract.number(self.temperature, "temperature", 0.05, 3.0)
        self.tempo = contract.number(self.tempo, "tempo (beats per minute)", 30, 240)
        self.seed = contract.seed(self.seed)
        self.key_lock = flag(self.key_lock, "key lock")
        self.steps = contract.whole(self.steps, "number of Gibbs steps", 1, MAX_GIBBS_STEPS)
        self.instrument = contract.choice(self.instrument, "instrument", INSTRUMENTS)

    def record(self) -> dict:
        """The parameters as stored with an output: an uploaded file by its name only."""
        d = self.to_dict()
        d["midi"] = Path(self.midi).name if self.midi else None
        return d


def flag(value, what: str) -> bool:
    """A yes/no input as a bool: True/False, 1/0 or "true"/"false" (an API client may send any)."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no", "on", "off"):
        return value.strip().lower() in ("true", "1", "yes", "on")
    if value is None or isinstance(value, (bool, int, float)) and value in (0, 1):
        return bool(value)
    raise ValueError(f"The {what} must be on or off (true or false).")
