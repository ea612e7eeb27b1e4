"""Real passages of the corpus, as hits, for the evidence / compose / check unit tests."""

from __future__ import annotations

from pathlib import Path

from core.types import Chunk, Hit

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FILE_000 = "000_92dbb6eadc19f86a.txt"
FILE_001 = "001_c14bfeaf169b6fab.txt"
FILE_002 = "002_960aae5ed1c2f91c.txt"
FILE_004 = "004_0654c56c1556bb94.txt"


def lines(file: str, first: int, last: int) -> str:
    """Lines first..last (1-based, inclusive) of a corpus file, joined as the chunker does."""
    text = (CORPUS / file).read_text(encoding="utf-8").splitlines()
    return "\n".join(ln for ln in text[first - 1 : last] if ln.strip())


def hit(
    file: str, first: int, last: int, heading: tuple[str, ...], score: float = 0.9,
    dense: float = 0.9, hollow: bool = False,
) -> Hit:  # fmt: skip
    text = lines(file, first, last)
    chunk = Chunk(
        f"{file}#{first}", file, heading, text, first * 10, first * 10 + len(text), hollow
    )
    return Hit(chunk, score, dense, 3.0)


def parroting_causes() -> Hit:
    """000, 4.2: four listed causes of the 复读机 problem."""
    return hit(FILE_000, 154, 161, ("大语言模型基础", "4.2 为什么会出现 LLMs 复读机问题？"))


def decoder_only() -> Hit:
    """000, 3: why most LLMs are decoder-only (three listed reasons)."""
    return hit(
        FILE_000, 142, 144, ("大语言模型基础", "3. 为何现在的大模型大部分是Decoder only结构")
    )


def bf16() -> Hit:
    """002: bf16 vs fp16 bit layout, one dense sentence with numbers."""
    return hit(FILE_002, 521, 521, ("混合精度", "bf16 和 fp16 有什么区别？"))
