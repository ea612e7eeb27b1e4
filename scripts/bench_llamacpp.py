"""Prompt and decode speed of the installed llama.cpp build on a GGUF (docs/benchmarks.md).

    python scripts/bench_llamacpp.py models/qwen0.5b.gguf models/qwen1.5b.gguf [--logits-all]

Per model: the system info once, then `--runs` times a cold prompt of ~`--prompt-tokens` tokens
(Chinese text from the corpus) followed by `--new-tokens` greedy tokens; llama.cpp's own
counters give the prompt and decode rates. The median run is printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _prompt(llm: object, n_tokens: int) -> str:
    text = sorted((ROOT / "corpus").glob("*.txt"))[0].read_text(encoding="utf-8")
    ids = llm.tokenize(text.encode("utf-8"), add_bos=False)[:n_tokens]  # type: ignore[attr-defined]
    body = llm.detokenize(ids).decode("utf-8", "ignore")  # type: ignore[attr-defined]
    return body + "\n\n请用中文详细总结上面的内容，分十点列出。\n"


def bench(path: Path, args: argparse.Namespace) -> dict[str, float]:
    import llama_cpp

    llm = llama_cpp.Llama(
        model_path=str(path),
        n_ctx=args.prompt_tokens + args.new_tokens + 64,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        logits_all=args.logits_all,
        verbose=False,
    )
    prompt = _prompt(llm, args.prompt_tokens)
    rows = []
    for _ in range(args.runs):
        llm.reset()  # cold: no prefix reuse between runs
        llama_cpp.llama_perf_context_reset(llm.ctx)
        llm.create_completion(prompt, max_tokens=args.new_tokens, temperature=0.0)
        perf = llama_cpp.llama_perf_context(llm.ctx)
        rows.append(
            {
                "prompt_tokens": perf.n_p_eval,
                "prompt_tok_s": 1000 * perf.n_p_eval / perf.t_p_eval_ms,
                "new_tokens": perf.n_eval,
                "decode_tok_s": 1000 * perf.n_eval / perf.t_eval_ms if perf.n_eval else 0.0,
            }
        )
    rows.sort(key=lambda r: r["prompt_tok_s"])
    med = rows[len(rows) // 2]
    med["decode_tok_s"] = statistics.median(r["decode_tok_s"] for r in rows)
    return med


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("gguf", nargs="+", type=Path)
    p.add_argument("--threads", type=int, default=2)  # the dev/CI machine's cores
    p.add_argument("--prompt-tokens", type=int, default=512)  # ~ a judge prompt
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--runs", type=int, default=3)  # the median of 3 evens out the shared cores
    p.add_argument("--logits-all", action="store_true", help="as the judge loads (logprobs)")
    args = p.parse_args()
    import llama_cpp

    print(llama_cpp.llama_print_system_info().decode().strip())
    for path in args.gguf:
        r = bench(path, args)
        print(
            f"{path.name}{' logits_all' if args.logits_all else ''}: "
            f"prompt {r['prompt_tok_s']:.1f} tok/s ({r['prompt_tokens']} tokens), "
            f"decode {r['decode_tok_s']:.1f} tok/s ({r['new_tokens']} tokens)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
