"""A character-level tokenizer that ``AutoTokenizer.from_pretrained`` loads like any other.

Built with the ``tokenizers`` library: a BPE model with no merges is exactly one token per
character, and the ``Fuse`` decoder joins them back without spaces. Id 0 is the
``<|endoftext|>`` token, used as start, end and padding token.
"""
from __future__ import annotations

from tokenizers import Tokenizer, decoders, models
from transformers import PreTrainedTokenizerFast

SPECIAL = "<|endoftext|>"


def build_char_tokenizer(text: str) -> PreTrainedTokenizerFast:
    """A tokenizer whose vocabulary is every character of ``text`` plus ``<|endoftext|>``."""
    vocab = {SPECIAL: 0}
    for ch in sorted(set(text)):
        vocab[ch] = len(vocab)
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=None, fuse_unk=False))
    core.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(
        tokenizer_object=core, bos_token=SPECIAL, eos_token=SPECIAL, pad_token=SPECIAL
    )
