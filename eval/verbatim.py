"""`python -m eval.verbatim DIR`: how many answer sentences are the cited passage's own words.

An instrument for extractive answers that shares nothing with the pipeline's support check:
a sentence counts as verbatim when its text (citation markers, list dash and final stop
removed, then NFKC/space-normalised) occurs in a passage it cites. A paraphrase or an LLM's
sentence is not verbatim however right it is, so for LLM answers use the judge instead.

The composer's overview ("…可以采取以下方法：建立索引、关键词匹配、…", service/compose.py
`with_overview`) is the notes' lead followed by its points' titles: it counts as `titled` when
the lead and every title, each alone, occur in passages it cites.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

_MARK = re.compile(r"\[(\d+)\]")


def _norm(text: str) -> str:
    """NFKC, lower case, no spaces and no markdown emphasis (the composer strips `**`)."""
    text = unicodedata.normalize("NFKC", text).replace("**", "").replace("*", "")
    return re.sub(r"\s+", "", text).lower()


def sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(text, cited numbers) for each run of text that ends in citation markers; the text
    after the last marker of a line (a coverage note, say) comes back with no citations."""
    out = []
    for line in answer.splitlines():
        line = line.strip().removeprefix("- ")
        pos = 0
        for m in re.finditer(r"((?:\[\d+\])+)[。！？!?.]?", line):
            text = (
                line[pos : m.start()].strip().lstrip("。！？!?.：:；;").strip().rstrip("。！？!?.")
            )
            pos = m.end()
            if len(text) >= 2:
                out.append((text, [int(n) for n in _MARK.findall(m.group(1))]))
        rest = line[pos:].strip().rstrip("。！？!?.")
        if len(rest) >= 2:
            out.append((rest, []))
    return out


def _titled(text: str, passages: list[str]) -> bool:
    """`text` is a lead and the titles of its points ("lead：title、title…"), each the words
    of a cited passage."""
    lead, colon, titles = text.rpartition("：")
    if not colon or not lead:
        return False
    parts = [lead, *titles.split("、")]
    return all(any(_norm(x) in _norm(p) for p in passages) for x in parts)


def score(records: list[dict[str, Any]]) -> dict[str, Any]:
    n = verbatim = titled = answers = clean = 0
    for r in records:
        if r.get("refused") or not r.get("answer"):
            continue
        answers += 1
        bad = 0
        for text, cites in sentences(r["answer"]):
            if not cites:  # a coverage note ("笔记里没有关于 X 的内容"): not a claim
                continue
            n += 1
            passages = [r["passages"][c - 1] for c in cites if 0 < c <= len(r["passages"])]
            ok = any(_norm(text) in _norm(p) for p in passages)
            verbatim += ok
            if not ok and _titled(text, passages):
                titled += 1
                continue
            bad += not ok
        clean += bad == 0
    return {
        "answers": answers,
        "cited_sentences": n,
        "verbatim_share": round(verbatim / n, 4) if n else None,
        "titled_overviews": titled,
        "verbatim_or_titled_share": round((verbatim + titled) / n, 4) if n else None,
        # every cited sentence verbatim, or a titled overview
        "answers_all_verbatim": round(clean / answers, 4) if answers else None,
    }


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m eval.verbatim DIR  (an eval.run output directory)")
        return 2
    # the cache keeps what each answer was given (`passages`); answers.jsonl leaves it out
    path = Path(args[0]) / "cache" / "answers.jsonl"
    try:
        records = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    except (OSError, ValueError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(score(records), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
