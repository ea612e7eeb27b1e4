"""Validate the hand-written eval datasets against the corpus.

    python scripts/check_datasets.py [--dev eval/datasets/dev.jsonl] [--judge eval/datasets/judge.jsonl]

dev.jsonl   {"id", "question", "kind", "evidence", "sources", "answer_points"}
judge.jsonl {"id", "passages", "claim", "supported", "type", "source", "split"}
            source: "hand" (written from the notes) or "system:<generator>" (a sentence the
            system produced, labelled by hand); split: "calib" (the judge's threshold is picked
            on these) or "test" (reported on), balanced within every type.

Evidence and passages are compared the way the retrieval hit rule compares them: all whitespace
stripped from both sides, then substring containment. Prints counts per kind, type and language,
and exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from core.text import has_cjk

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

KINDS = ("paraphrase", "specific", "multi", "unanswerable")
JUDGE_TYPES = (
    "paraphrase",
    "verbatim",
    "wrong_number",
    "wrong_name",
    "absent_but_true",
    "contradiction",
    "partial",
)
DEV_KEYS = {"id", "question", "kind", "evidence", "sources", "answer_points"}
JUDGE_KEYS = {"id", "passages", "claim", "supported", "type", "source", "split"}
SPLITS = ("calib", "test")
_SOURCE = re.compile(r"^(hand|system:[a-z0-9._-]+)$")

SPAN_MIN, SPAN_MAX = 8, 30  # characters, whitespace stripped
PASSAGE_MIN, PASSAGE_MAX = 100, 600  # characters, as written
MIN_DEV, MIN_JUDGE = 75, 200
MIN_SYSTEM = 25  # pairs whose claim is a sentence the system produced, both labels present
MIN_ENGLISH, MIN_MIXED = 10, 8

_WS = re.compile(r"\s+")
# A lowercase Latin word of 3+ letters ("attention", "merge", "decoder-only"): real code-mixing.
# Acronyms and names alone (LoRA, BERT, RLHF) leave a question counted as Chinese.
_LATIN_WORD = re.compile(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])")
# Lines that list topics instead of answering them: checklists, wiki-link contents, TOC leaders.
_NON_BODY = re.compile(r"^\s*(-\s*\[(x|\s*)\]|-\s*\[\[#|#{1,6}\s)|\.{5,}")


def squash(text: str) -> str:
    return _WS.sub("", text)


def language(text: str) -> str:
    """english (no CJK), mixed (CJK plus ordinary English words) or chinese."""
    if not has_cjk(text):
        return "english"
    return "mixed" if _LATIN_WORD.search(text) else "chinese"


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, where: str, msg: str) -> None:
        self.problems.append(f"{where}: {msg}")


def is_body(line: str) -> bool:
    """False for checklist/TOC/heading lines, and for bare question headings (short, ends in ?)."""
    if _NON_BODY.search(line):
        return False
    s = squash(line)
    return not (len(s) <= 60 and s.endswith(("?", "？")) and "：" not in s)


def load_corpus() -> dict[str, tuple[str, list[str]]]:
    """file name -> (whitespace-stripped text, squashed body lines)."""
    out = {}
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        body = [squash(line) for line in text.splitlines() if is_body(line)]
        out[path.name] = (squash(text), body)
    return out


def read_jsonl(path: Path, rep: Report) -> list[dict]:
    rows: list[dict] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        rep.bad(str(path), f"cannot read ({exc.strerror})")
        return rows
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rep.bad(f"{path.name}:{no}", f"invalid JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            rep.bad(f"{path.name}:{no}", "not a JSON object")
            continue
        rows.append(obj)
    return rows


def is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check_ids(rows: list[dict], prefix: str, name: str, rep: Report) -> None:
    ids = [r.get("id") for r in rows]
    for dup, n in Counter(ids).items():
        if n > 1:
            rep.bad(name, f"id {dup!r} used {n} times")
    pattern = re.compile(rf"^{prefix}-\d{{3}}$")
    for i in ids:
        if not isinstance(i, str) or not pattern.match(i):
            rep.bad(name, f"id {i!r} does not match {prefix}-NNN")


def check_dev(rows: list[dict], corpus: dict, rep: Report) -> None:
    check_ids(rows, "dev", "dev", rep)
    covered: set[str] = set()
    for r in rows:
        where = f"dev {r.get('id')}"
        keys = set(r) - {"notes_wrong"}  # optional: the notes' answer is a reviewed error
        if keys != DEV_KEYS:
            rep.bad(where, f"keys {sorted(keys)} != {sorted(DEV_KEYS)}")
            continue
        if "notes_wrong" in r and (
            r["kind"] == "unanswerable" or not isinstance(r["notes_wrong"], str)
            or not r["notes_wrong"].strip()
        ):  # fmt: skip
            rep.bad(where, "notes_wrong must say what is wrong, on an answerable item")
        q, kind, ev, src, pts = (
            r[k] for k in ("question", "kind", "evidence", "sources", "answer_points")
        )
        if not isinstance(q, str) or not q.strip():
            rep.bad(where, "empty question")
        if kind not in KINDS:
            rep.bad(where, f"kind {kind!r} not in {KINDS}")
            continue
        if not (is_str_list(ev) and is_str_list(src) and is_str_list(pts)):
            rep.bad(where, "evidence, sources and answer_points must be lists of strings")
            continue
        if kind == "unanswerable":
            if ev or src or pts:
                rep.bad(where, "unanswerable items need empty evidence, sources and answer_points")
            continue
        if not 2 <= len(pts) <= 4 or any(not p.strip() for p in pts):
            rep.bad(where, f"{len(pts)} answer_points (want 2-4, non-empty)")
        if not 1 <= len(ev) <= (4 if kind == "multi" else 3):
            rep.bad(where, f"{len(ev)} evidence spans")
        if len(set(src)) != len(src) or not src:
            rep.bad(where, "sources empty or repeated")
        unknown = [s for s in src if s not in corpus]
        if unknown:
            rep.bad(where, f"unknown source files {unknown}")
            continue
        if kind == "multi" and len(src) < 2:
            rep.bad(where, "multi item needs at least two source files")
        covered.update(src)
        for e in ev:
            s = squash(e)
            if not SPAN_MIN <= len(s) <= SPAN_MAX:
                rep.bad(where, f"span {e!r} is {len(s)} chars (want {SPAN_MIN}-{SPAN_MAX})")
            if "\n" in e or "**" in e or e.lstrip().startswith("- "):
                rep.bad(where, f"span {e!r} has a line break or markdown markup")
            in_src = [f for f in src if s in corpus[f][0]]
            if not in_src:
                rep.bad(where, f"span {e!r} not found in {src}")
            elif not any(s in line for f in in_src for line in corpus[f][1]):
                rep.bad(
                    where, f"span {e!r} only found in checklist/TOC/heading lines or across lines"
                )
        for f in src:
            if not any(squash(e) in corpus[f][0] for e in ev):
                rep.bad(where, f"source {f} has none of the evidence spans")
    missing = sorted(set(corpus) - covered)
    if missing:
        rep.bad("dev", f"corpus files never used as a source: {missing}")
    if len(rows) < MIN_DEV:
        rep.bad("dev", f"only {len(rows)} items (want >= {MIN_DEV})")
    langs = Counter(language(r.get("question", "")) for r in rows)
    if langs["english"] < MIN_ENGLISH:
        rep.bad("dev", f"only {langs['english']} English questions (want >= {MIN_ENGLISH})")
    if langs["mixed"] < MIN_MIXED:
        rep.bad("dev", f"only {langs['mixed']} mixed questions (want >= {MIN_MIXED})")


def check_judge(rows: list[dict], corpus: dict, rep: Report) -> None:
    check_ids(rows, "j", "judge", rep)
    for r in rows:
        where = f"judge {r.get('id')}"
        keys = set(r)
        if keys != JUDGE_KEYS:
            rep.bad(where, f"keys {sorted(keys)} != {sorted(JUDGE_KEYS)}")
            continue
        passages, claim, sup, typ = r["passages"], r["claim"], r["supported"], r["type"]
        if not isinstance(claim, str) or not claim.strip():
            rep.bad(where, "empty claim")
        if not isinstance(sup, bool):
            rep.bad(where, "supported must be true or false")
        if not isinstance(r["source"], str) or not _SOURCE.match(r["source"]):
            rep.bad(where, f"source {r['source']!r} is not 'hand' or 'system:<generator>'")
        if r["split"] not in SPLITS:
            rep.bad(where, f"split {r['split']!r} not in {SPLITS}")
        if typ not in JUDGE_TYPES:
            rep.bad(where, f"type {typ!r} not in {JUDGE_TYPES}")
        elif isinstance(sup, bool) and sup != (typ in ("paraphrase", "verbatim")):
            rep.bad(where, f"type {typ} disagrees with supported={sup}")
        if not is_str_list(passages) or not 1 <= len(passages) <= 3:
            rep.bad(where, "passages must be a list of 1-3 strings")
            continue
        for p in passages:
            if not PASSAGE_MIN <= len(p) <= PASSAGE_MAX:
                rep.bad(where, f"passage is {len(p)} chars (want {PASSAGE_MIN}-{PASSAGE_MAX})")
            s = squash(p)
            if not any(s in text for text, _ in corpus.values()):
                rep.bad(where, f"passage not found verbatim in the corpus: {p[:40]!r}...")
    if len(rows) < MIN_JUDGE:
        rep.bad("judge", f"only {len(rows)} items (want >= {MIN_JUDGE})")
    check_judge_split(rows, rep)
    system = [r for r in rows if str(r.get("source", "")).startswith("system:")]
    if len(system) < MIN_SYSTEM or len({r.get("supported") for r in system}) < 2:
        rep.bad("judge", f"{len(system)} system pairs (want >= {MIN_SYSTEM}, both labels)")


def check_judge_split(rows: list[dict], rep: Report) -> None:
    """Stratified by type: within each type the two splits differ by at most one pair per
    source, so the threshold (calib) and the reported accuracy (test) see the same mix."""
    groups: dict[str, Counter] = {}
    for r in rows:
        groups.setdefault(str(r.get("type")), Counter())[r.get("split")] += 1
    for typ, n in sorted(groups.items()):
        sources = len({r.get("source") for r in rows if r.get("type") == typ})
        if abs(n["calib"] - n["test"]) > sources:
            rep.bad("judge", f"type {typ}: {n['calib']} calib vs {n['test']} test (unbalanced)")


def summary(dev: list[dict], judge: list[dict]) -> str:
    out = []
    kinds = Counter(r.get("kind") for r in dev)
    n = len(dev) or 1
    out.append(f"dev: {len(dev)} items")
    for k in KINDS:
        out.append(f"  {k:<13} {kinds[k]:>3}  ({100 * kinds[k] / n:.0f}%)")
    langs = Counter(language(r.get("question", "")) for r in dev)
    out.append(
        "  language: " + ", ".join(f"{k} {langs[k]}" for k in ("chinese", "mixed", "english"))
    )
    src = Counter(f for r in dev for f in r.get("sources", []))
    out.append("  sources: " + ", ".join(f"{f[:3]} {c}" for f, c in sorted(src.items())))
    types = Counter(r.get("type") for r in judge)
    sup = sum(1 for r in judge if r.get("supported") is True)
    out.append(f"judge: {len(judge)} items, {sup} supported, {len(judge) - sup} not supported")
    for t in JUDGE_TYPES:
        out.append(f"  {t:<16} {types[t]:>3}")
    for key in ("source", "split"):
        c = Counter(r.get(key) for r in judge)
        out.append(f"  {key}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=str)))
    jl = Counter(language(r.get("claim", "")) for r in judge)
    out.append("  language: " + ", ".join(f"{k} {jl[k]}" for k in ("chinese", "mixed", "english")))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=ROOT / "eval/datasets/dev.jsonl")
    ap.add_argument("--judge", type=Path, default=ROOT / "eval/datasets/judge.jsonl")
    args = ap.parse_args(argv)
    corpus = load_corpus()
    rep = Report()
    if len(corpus) != 5:
        rep.bad("corpus", f"expected 5 files in {CORPUS}, found {len(corpus)}")
    dev = read_jsonl(args.dev, rep)
    judge = read_jsonl(args.judge, rep)
    check_dev(dev, corpus, rep)
    check_judge(judge, corpus, rep)
    print(summary(dev, judge))
    if rep.problems:
        print(f"\n{len(rep.problems)} problem(s):")
        for p in rep.problems:
            print("  " + p)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
