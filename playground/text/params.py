"""Every input of one text generation, validated and converted in one place."""
from __future__ import annotations

from dataclasses import dataclass, field

from playground import contract

MAX_NEW_TOKENS = 1000  # a hard cap whatever the UI or API asks
MAX_PROMPT_CHARS = 20_000


@dataclass
class Params(contract.ParamsMixin):
    """Prompt and sampling settings (stored with the output, so it can be reproduced).

    Constructing it checks and converts every field: ``length="3"`` and ``3.0`` become 3,
    ``3.5`` raises ValueError("The length must be a whole number.").
    """

    ALIASES = {"max_new_tokens": "length"}  # the name stored by the first version

    prompt: str = field(default="", metadata={"help": "the text to continue (empty: from the start token)"})
    length: int = field(default=200, metadata={"help": f"new tokens, 1-{MAX_NEW_TOKENS} (default 200)"})
    temperature: float = field(default=0.8, metadata={"help": "above 0, at most 5; 0.7-1.0 reads best (default 0.8)"})
    top_k: int = field(default=0, metadata={"help": "keep the k likeliest tokens; 0 = off (default)"})
    top_p: float = field(default=1.0, metadata={"help": "keep the likeliest tokens up to this mass; 1 = off (default)"})
    seed: int = field(default=0, metadata={"help": "0 to 2**31-1: the same seed gives the same text (default 0)"})

    def __post_init__(self) -> None:
        self.prompt = contract.text(self.prompt, "prompt", MAX_PROMPT_CHARS)
        self.length = contract.whole(self.length, "length", 1, MAX_NEW_TOKENS)
        self.temperature = contract.number(self.temperature, "temperature", 0, 5, lo_open=True)
        self.top_k = contract.whole(self.top_k, "top-k", 0)
        self.top_p = contract.number(self.top_p, "top-p", 0, 1, lo_open=True)
        self.seed = contract.seed(self.seed)
