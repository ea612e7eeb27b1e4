"""Judge pairs that look like what the judge scores: `python eval/reviews/2026-12-04-q/
make_items_q.py BANK_RUN DEV_RUN OUT`.

The judge set's passages are short (mean 214 characters, at most 570), while on the dev set the
judge reads each claim beside all the passages its answer cites (often three). This draws
(passages, claim) pairs from extractive answers to questions of the practice bank
(`python -m eval.run --questions FILE --judge none --out BANK_RUN`, FILE: all 190 questions
of index/current/bank.jsonl as paraphrase items), with the passages the answer cites as the judge would get them (1-3, each
100-600 characters and verbatim in the corpus, as check_datasets wants). A claim any dev answer
also makes (DEV_RUN) is left out, so nothing the dev-set figures are measured on calibrates
the judge. At most two claims per answer, seed 5.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from check_datasets import PASSAGE_MAX, PASSAGE_MIN, load_corpus, squash  # noqa: E402

from eval.claims import split_claims  # noqa: E402

PAIRS = 60


def records(run: Path) -> list[dict]:
    text = (run / "cache" / "answers.jsonl").read_text(encoding="utf-8")
    return [json.loads(x) for x in text.splitlines() if x]


def main(bank_run: Path, dev_run: Path, out: Path) -> None:
    corpus = [text for text, _ in load_corpus().values()]
    dev_claims = {
        c.text for r in records(dev_run) if not r["refused"] for c in split_claims(r["answer"])
    }
    rng = random.Random(5)
    items = []
    for r in records(bank_run):
        if r["refused"] or r["error"]:
            continue
        claims = split_claims(r["answer"])
        cites = sorted({n for c in claims for n in c.cites if 1 <= n <= len(r["passages"])})
        passages = [r["passages"][n - 1] for n in cites]
        if not 1 <= len(passages) <= 3 or not all(
            PASSAGE_MIN <= len(p) <= PASSAGE_MAX and any(squash(p) in t for t in corpus)
            for p in passages
        ):
            continue
        fresh = [c.text for c in claims if c.text not in dev_claims and len(c.text) >= 12]
        for claim in rng.sample(fresh, min(2, len(fresh))):
            items.append({"from": r["id"], "passages": passages, "claim": claim})
    rng.shuffle(items)
    with out.open("w", encoding="utf-8") as f:
        for i, it in enumerate(items[:PAIRS]):
            f.write(json.dumps({"item": f"q{i:03d}", **it}, ensure_ascii=False) + "\n")
    print(f"{min(len(items), PAIRS)} of {len(items)} candidate pairs written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
