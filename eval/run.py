"""`python -m eval.run`: retrieval quality (and, with issue 5, answer quality) on a question file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from core.errors import NotesQAError
from core.settings import Settings
from eval.dataset import DatasetError, load_items
from eval.retrieval_metrics import KS, score_retrieval

MODES = ("hybrid", "dense", "bm25")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__)
    p.add_argument("--questions", type=Path, default=Path("eval/datasets/dev.jsonl"))
    p.add_argument("--k", type=int, default=10, help="retrieve this many hits per question")
    p.add_argument("--retrieval-only", action="store_true", help="skip answer generation")
    p.add_argument("--mode", choices=(*MODES, "all"), default="hybrid")
    p.add_argument("--index", type=Path, help="index directory (default: settings.index_dir)")
    p.add_argument("--out", type=Path, default=Path("eval/out"))
    return p.parse_args(argv)


def run_retrieval(
    settings: Settings, questions: Path, k: int, modes: tuple[str, ...]
) -> dict[str, Any]:
    from core.retrieval import open_retriever

    items = load_items(questions)
    retriever = open_retriever(settings)
    blocks: dict[str, Any] = {}
    for mode in modes:
        results = []
        started = time.perf_counter()
        for item in tqdm(items, desc=f"retrieval ({mode})", unit="q", file=sys.stderr):
            hits = retriever.search(item.question, k, mode=mode)  # type: ignore[arg-type]
            results.append((item, [h.chunk for h in hits]))
        block = score_retrieval(results)
        block["ms_per_query"] = round(1000 * (time.perf_counter() - started) / len(items), 1)
        blocks[mode] = block
    report = dict(blocks[modes[0]])
    if len(modes) > 1:
        report["modes"] = blocks
    report["mode"] = modes[0]
    return {"retrieval": report, "manifest": retriever.index.manifest}


def format_table(report: dict[str, Any]) -> str:
    cols = [f"hit@{k}" for k in KS] + ["mrr@10", "strict_multi@10"]
    blocks = report.get("modes") or {report["mode"]: report}
    lines = ["| run | n | " + " | ".join(cols) + " |", "|---" * (len(cols) + 2) + "|"]
    for mode, block in blocks.items():
        rows = [(mode, block)] + [(f"{mode}/{kind}", b) for kind, b in block["by_kind"].items()]
        for name, b in rows:
            vals = ["-" if b.get(c) is None else f"{b[c]:.3f}" for c in cols]
            lines.append(f"| {name} | {b['n']} | " + " | ".join(vals) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(**({"index_dir": args.index} if args.index else {}))
    modes = MODES if args.mode == "all" else (args.mode,)
    try:
        result = run_retrieval(settings, args.questions, args.k, modes)
    except (NotesQAError, DatasetError) as exc:
        print(f"eval: error: {exc}", file=sys.stderr)
        return 2
    report = {
        "questions": str(args.questions),
        "settings": json.loads(settings.model_dump_json()),
        **result,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(format_table(report["retrieval"]))
    print(f"report: {args.out / 'report.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
