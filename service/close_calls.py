"""Close calls: which of two or three sections the search ranks close answers, by how well each
one's best line matches the question. `service/evidence.py` picks the sections; this module
orders them."""

from __future__ import annotations

from core.types import Hit
from service.evidence_unit import EvidenceUnit
from service.names_asked import Ranked
from service.sections import read_section

# On a close call flagged as the closest sections (evidence.py LOW_MATCH), a third section this
# close to the first joins as well: on the dev set 6 answers changed, 6 lexical points gained
# (dev-003, 015, 095), none lost; at 0.05 none gained, at 0.15 the same points for two more
# padded answers.
THIRD_SECTION_MARGIN = 0.10
# A runner-up section whose best sentence matches the question this many times better than the
# first's goes first (held-out ho-024, character tokenization); one whose best matches less
# than WEAKER_SECTION times the answer's best is not added on a close call (dev-020's PEFT
# problems under a question on adapters; at 0.5, bare-030 kept a list of memory-saving methods).
BETTER_SECTION = 2.0
MIN_BETTER = 4.0  # unit score (weighted shared features): a sentence that says what is asked
WEAKER_SECTION = 0.6

Block = tuple[float, list[EvidenceUnit], str]  # a section's best-line score, units, heading


def closest_order(blocks: list[Block]) -> list[Block]:
    """The closest sections of an answer no heading asks: one whose best line says far more of
    the question than the first's goes first (as `best_sentence_first`), and none whose best
    says far less than that one stays (hr-027: the prompting methods had led the advantages
    that say a prompt explains the output; dev-015: the LangChain features and prompt templates
    had led the document-QA approach)."""
    top = max(b[0] for b in blocks)
    if top >= max(BETTER_SECTION * blocks[0][0], MIN_BETTER):
        blocks = sorted(blocks, key=lambda b: b[0] < top)  # stable: the rest keep their order
    return [b for b in blocks if b[0] >= WEAKER_SECTION * top]


def best_score(hit: Hit, per_hit: list[tuple[int, Hit]], q: set[str]) -> float:
    """How well the section's best sentence matches the question."""
    return max((u.score for u in read_section(hit, per_hit, q)), default=0.0)


def best_sentence_first(ranked: Ranked, per_hit: list[tuple[int, Hit]], q: set[str]) -> Ranked:
    """When no heading asks the question and the search ranks two sections close, the runner-up
    goes first if its best sentence matches the question far better than any of the first's
    ("按字符做分词为什么往往需要更大的模型和更多算力？": the search put a table of Token and 词表
    first, whose best sentence is on multilingual vocabularies, over the tokenization section
    that says it)."""
    if len(ranked) < 2 or ranked[0][0] or ranked[1][0]:
        return ranked
    if ranked[0][1] - ranked[1][1] > THIRD_SECTION_MARGIN:  # the search tells them apart
        return ranked
    first, second = (best_score(r[4], per_hit, q) for r in ranked[:2])
    if second >= BETTER_SECTION * first and second >= MIN_BETTER:
        return [ranked[1], ranked[0], *ranked[2:]]
    return ranked
