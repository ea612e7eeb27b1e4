"""`python -m eval.run`: retrieval and answer quality on a question file.

    python -m eval.run [--questions FILE] [--generator NAME] [--judge llm|nli|none]
                       [--url URL] [--limit N] [--out DIR]
    python -m eval.run --retrieval-only [--mode hybrid|dense|bm25|all]
    python -m eval.run --calibrate-judge [--judge-file eval/datasets/judge.jsonl]
    python -m eval.run --compare DIR_A DIR_B [--out DIR]

Writes DIR/report.json (retrieval + answers blocks), DIR/report.md (with a per-question
table), DIR/report.html (charts), DIR/rows.jsonl (one row per question: rank, refusal, points
hit and missed, unsupported sentences, latency) and DIR/answers.jsonl (every answer with its
judged claims). Answers and judgments are cached under DIR/cache, so a rerun after a crash
resumes. --compare diffs the rows of two such runs into DIR/compare.md, regressions first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from core.errors import NotesQAError
from core.settings import JudgeSettings, Settings, settings_error
from eval.answer_metrics import Judgment, detail_rows
from eval.answers import AnswerRecord
from eval.calibrate import format_calibration
from eval.dataset import DatasetError, EvalItem, load_items
from eval.judge import CachedJudge, build_judge
from eval.retrieval_metrics import KS, first_hit_rank, score_retrieval
from eval.rows import build_rows
from eval.run_args import MODES, judge_settings, parse_args


def run_retrieval(
    settings: Settings, questions: Path, k: int, modes: tuple[str, ...]
) -> dict[str, Any]:
    from core.retrieval import open_retriever

    items = load_items(questions)
    retriever = open_retriever(settings)
    blocks: dict[str, Any] = {}
    ranks: dict[str, int | None] = {}  # per question, first mode: the rows' rank column
    for mode in modes:
        results = []
        started = time.perf_counter()
        for item in tqdm(items, desc=f"retrieval ({mode})", unit="q", file=sys.stderr):
            hits = retriever.search(item.question, k, mode=mode)  # type: ignore[arg-type]
            results.append((item, [h.chunk for h in hits]))
        block = score_retrieval(results)
        block["ms_per_query"] = round(1000 * (time.perf_counter() - started) / len(items), 1)
        blocks[mode] = block
        if mode == modes[0]:
            ranks = {i.id: first_hit_rank(ranked, i) for i, ranked in results}
    report = dict(blocks[modes[0]])
    if len(modes) > 1:
        report["modes"] = blocks
    report["mode"] = modes[0]
    return {"retrieval": report, "manifest": retriever.index.manifest, "ranks": ranks}


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


def pick_items(items: list[EvalItem], limit: int | None) -> tuple[list[EvalItem], float | None]:
    """--limit N: N items evenly spaced over the file, so every kind is represented."""
    if limit is None or limit >= len(items):
        return items, None
    stride = len(items) / limit
    return [items[int(i * stride)] for i in range(limit)], round(stride, 2)


async def run_answers(
    args: argparse.Namespace, settings: Settings, jcfg: JudgeSettings, items: list[EvalItem]
) -> tuple[dict[str, Any], list[AnswerRecord], dict[str, Judgment] | None, int]:
    from eval.answer_metrics import judge_answers, refusal_tradeoff, score_answers
    from eval.answers import AnswerCache, HttpAnswerer, InProcessAnswerer, answer_all, settings_hash

    cache_dir = None if args.no_cache else args.out / "cache"
    answerer: InProcessAnswerer | HttpAnswerer
    if args.url:
        answerer = HttpAnswerer(args.url, args.api_key or settings.api_key)
    else:
        answerer = InProcessAnswerer(settings)
    async with answerer:
        extra = {"url": args.url or "", "index_version": answerer.index_version}
        key = settings_hash(settings, extra)
        cache = AnswerCache(cache_dir / "answers.jsonl" if cache_dir else None, key)
        from_cache = sum(
            1 for i in items if i.id in cache.done and cache.done[i.id].question == i.question
        )
        records = await answer_all(items, answerer, cache)
    judgments = None
    judge = build_judge(jcfg, settings)
    if judge is not None:
        cached = CachedJudge(judge, cache_dir / "judgments.jsonl" if cache_dir else None)
        try:
            judgments = await judge_answers(cached, items, records)
        finally:
            await judge.aclose()
    block = score_answers(items, records, judgments, jcfg.threshold)
    block["refusal_tradeoff"] = refusal_tradeoff(
        items, records, settings.gate_min_dense_cjk, settings.gate_min_dense_latin,
        settings.gate_min_coverage,
    )  # fmt: skip
    gen_model = {"llamacpp": Path(settings.gguf_path).stem, "extractive": "extractive"}
    block["generator"] = {
        "kind": "service" if args.url else settings.generator,
        "model": "(the service's)"
        if args.url
        else gen_model.get(settings.generator, settings.llm_model),
        "url": args.url
        or (settings.llm_base_url if settings.generator in ("vllm", "openai") else ""),
    }
    jinfo = json.loads(jcfg.model_dump_json())
    block["judge"] = {**jinfo, "name": judge.name if judge else None}
    block["settings_hash"] = key
    return block, records, judgments, from_cache


def write_reports(
    out: Path,
    report: dict[str, Any],
    details: list[dict[str, Any]] | None,
    rows: list[dict[str, Any]],
) -> None:
    from eval.chart import render_html
    from eval.report import render_markdown
    from eval.rows import write_rows

    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    (out / "report.md").write_text(render_markdown(report, rows), encoding="utf-8")
    (out / "report.html").write_text(render_html(report), encoding="utf-8")
    write_rows(out / "rows.jsonl", rows)
    if details is not None:
        lines = [json.dumps(d, ensure_ascii=False) for d in details]
        (out / "answers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def run_calibration(
    args: argparse.Namespace, settings: Settings, jcfg: JudgeSettings
) -> dict[str, Any]:
    from eval.calibrate import calibrate, load_pairs

    pairs = load_pairs(args.judge_file)
    kind = jcfg if jcfg.kind != "none" else jcfg.model_copy(update={"kind": "llm"})
    judge = build_judge(kind, settings)
    assert judge is not None
    cache = None if args.no_cache else args.out / "cache" / "judgments.jsonl"
    try:
        return await calibrate(CachedJudge(judge, cache), pairs, args.pick)
    finally:
        await judge.aclose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv, __doc__)
    started = time.perf_counter()
    over: dict[str, Any] = {"index_dir": args.index} if args.index else {}
    if args.generator:
        over["generator"] = args.generator
    try:
        settings = Settings(**over)
        jcfg = judge_settings(args, settings)
    except ValidationError as exc:
        print(f"eval: {settings_error(exc)}", file=sys.stderr)
        return 2
    command = "python -m eval.run " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    try:
        if args.compare:
            from eval.compare import run_compare, summary_line

            cmp = run_compare(args.compare[0], args.compare[1], args.out)
            for ch in cmp["changes"]:
                if ch["worse"]:
                    print(f"{ch['id']} ({ch['kind']}): " + "; ".join(ch["worse"]))
            print(summary_line(cmp))
            print(f"comparison: {args.out / 'compare.md'}")
            return 0
        if args.calibrate_judge:
            cal = asyncio.run(run_calibration(args, settings, jcfg))
            args.out.mkdir(parents=True, exist_ok=True)
            path = args.out / "judge_calibration.json"
            path.write_text(json.dumps(cal, ensure_ascii=False, indent=2))
            print(format_calibration(cal))
            print(f"calibration: {path}")
            return 0
        modes = MODES if args.mode == "all" else (args.mode,)
        items = load_items(args.questions)
        result = run_retrieval(settings, args.questions, args.k, modes)
        ranks = result.pop("ranks")
        report: dict[str, Any] = {
            "questions": str(args.questions),
            "settings": json.loads(settings.model_dump_json()),
            **result,
        }
        details = None
        rows = build_rows(items, ranks)
        if not args.retrieval_only:
            subset, stride = pick_items(items, args.limit)
            block, records, judgments, from_cache = asyncio.run(
                run_answers(args, settings, jcfg, subset)
            )
            block.update(n_file=len(items), stride=stride, limit=args.limit)
            report["answers"] = block
            report["run"] = {"answers_from_cache": from_cache}
            details = detail_rows(records, judgments)
            rows = build_rows(subset, ranks, records, judgments, jcfg.threshold)
        report["run"] = {
            **report.get("run", {}),
            "command": command,
            "wall_s": round(time.perf_counter() - started, 1),
        }
    except (NotesQAError, DatasetError, ValueError) as exc:
        print(f"eval: error: {exc}", file=sys.stderr)
        return 2
    write_reports(args.out, report, details, rows)
    print(format_table(report["retrieval"]))
    if "answers" in report:
        from eval.report import answers_table, latency_table

        print("\n".join(answers_table(report["answers"])))
        print("\n".join(latency_table(report["answers"])))
    print(
        f"report: {args.out / 'report.json'} (+ report.md, report.html); "
        f"wall {report['run']['wall_s']:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
