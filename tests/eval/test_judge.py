"""Judges: the prompt, the NLI CrossEncoder path on a tiny model built here, calibration on
known probabilities, and one real llama.cpp judgment."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from eval.calibrate import (
    JudgePair,
    auc,
    calibrate,
    confusion,
    format_calibration,
    load_pairs,
    pick_threshold,
)
from eval.judge import (
    JUDGE_QUESTION,
    TOP_N,
    JudgeSettings,
    LLMJudge,
    NLIJudge,
    build_judge,
    entailment_index,
    judge_messages,
    p_yes,
)
from service.generators.base import Message

ROOT = Path(__file__).resolve().parents[2]
LORA = "LoRA 在预训练权重旁加入低秩矩阵 A 和 B，只训练它们，从而大幅减少可训练参数。"


def test_prompt_puts_numbered_passages_first_and_asks_for_one_token() -> None:
    msgs = judge_messages(["甲  乙\n丙", "丁"], " 断言文本 ")
    assert msgs[0]["role"] == "system" and msgs[1]["role"] == "user"
    user = msgs[1]["content"]
    assert user.startswith("资料：\n[1] 甲 乙 丙\n\n[2] 丁\n\n断言：断言文本\n\n")
    assert user.endswith(JUDGE_QUESTION) and "是 或 否" in JUDGE_QUESTION
    # passages are cut to the character budget; the claim never is
    cut = judge_messages(["一" * 50, "二" * 50], "断言", max_chars=60)[1]["content"]
    assert "一" * 50 in cut and "二" * 10 in cut and "二" * 11 not in cut


class FakeScorer:
    """First-token candidates as a server returns them: most likely first, log-probabilities."""

    def __init__(self, top: list[tuple[str, float]]) -> None:
        self.top = top
        self.seen: list[tuple[Sequence[Message], int]] = []

    async def first_token_logprobs(
        self, messages: Sequence[Message], top_n: int
    ) -> list[tuple[str, float]]:
        self.seen.append((messages, top_n))
        return self.top


def test_p_yes_sums_the_candidates_that_read_yes() -> None:
    top = [("是", math.log(0.5)), ("否", math.log(0.3)), (" 是", math.log(0.1)), ("不", -9.0)]
    assert p_yes(top) == pytest.approx(0.6)
    assert p_yes([("否", 0.0)]) == 0.0 and p_yes([]) == 0.0
    # rounding in a server's logprobs can sum past 1
    assert p_yes([("是", 0.0), (" 是", math.log(0.01))]) == 1.0


def test_llm_judge_asks_for_the_top_first_tokens() -> None:
    scorer = FakeScorer([("是", math.log(0.7)), ("否", math.log(0.2))])
    judge = LLMJudge(scorer, "fake", threshold=0.4)
    assert asyncio.run(judge.supported(["资料"], "断言")) == pytest.approx(0.7)
    assert scorer.seen == [(judge_messages(["资料"], "断言"), TOP_N)]
    assert judge.name == "llm:fake:v2" and judge.threshold == 0.4


def test_build_judge_from_settings() -> None:
    assert build_judge(JudgeSettings(kind="none")) is None
    local = build_judge(JudgeSettings(kind="llm", threshold=0.3))
    assert isinstance(local, LLMJudge) and local.name == "llm:llamacpp:qwen1.5b.gguf:v2"
    remote = build_judge(JudgeSettings(url="http://127.0.0.1:9/v1", model="big"))
    assert remote is not None and remote.name == "llm:http://127.0.0.1:9/v1#big:v2"
    with pytest.raises(ValueError, match="nli-model"):
        build_judge(JudgeSettings(kind="nli"))


@pytest.mark.parametrize(
    ("labels", "idx"),
    [
        ({0: "contradiction", 1: "entailment", 2: "neutral"}, 1),
        ({"0": "ENTAILMENT", "1": "NEUTRAL", "2": "CONTRADICTION"}, 0),
    ],
)
def test_entailment_index(labels: dict[object, str], idx: int) -> None:
    assert entailment_index(labels) == idx


def test_entailment_index_needs_the_label() -> None:
    with pytest.raises(ValueError, match="no entailment label"):
        entailment_index({0: "LABEL_0", 1: "LABEL_1"})


def _tiny_nli_model(path: Path) -> Path:
    """A randomly initialised 1-layer BERT NLI classifier with a 30-token WordPiece vocab."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    vocab = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *"资料断言低秩矩阵参数训练是否",
        "lo",
        "##ra",
    ]
    path.mkdir(parents=True)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tok = BertTokenizer(str(path / "vocab.txt"))
    id2label = {0: "contradiction", 1: "entailment", 2: "neutral"}
    cfg = BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )  # fmt: skip
    torch.manual_seed(0)
    BertForSequenceClassification(cfg).eval().save_pretrained(path)
    tok.save_pretrained(path)
    return path


def test_nli_judge_scores_entailment_on_a_tiny_model(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    path = _tiny_nli_model(tmp_path / "tiny-nli")
    judge = NLIJudge(str(path), threshold=0.5, max_length=64)
    assert judge.entail == 1 and judge.name == f"nli:{path}"
    passages, claim = ["资料：低秩矩阵", "参数"], "断言：训练参数"
    p = asyncio.run(judge.supported(passages, claim))
    # the same probability straight from transformers: softmax over the 3 labels, index 1
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path).eval()
    enc = tok("\n".join(passages), claim, return_tensors="pt", truncation=True, max_length=64)
    with torch.no_grad():
        want = torch.softmax(model(**enc).logits[0].double(), -1)[1].item()
    assert 0.0 < p < 1.0 and p == pytest.approx(want, abs=1e-5)
    built = build_judge(JudgeSettings(kind="nli", nli_model=str(path), threshold=0.7))
    assert isinstance(built, NLIJudge) and built.threshold == 0.7


# --- calibration ------------------------------------------------------------------------------
LABELS = [True, True, True, False, False, False]
PROBS = [0.9, 0.8, 0.3, 0.6, 0.2, 0.1]


def test_confusion_at_a_threshold() -> None:
    row = confusion(LABELS, PROBS, 0.5)
    assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (2, 1, 1, 2)
    assert (row["accuracy"], row["precision"], row["recall"]) == (0.6667, 0.6667, 0.6667)
    assert row["specificity"] == 0.6667


def test_auc_and_pick() -> None:
    assert auc(LABELS, PROBS) == round(8 / 9, 4)  # only 0.3 < 0.6 is out of order
    best = pick_threshold(LABELS, PROBS, "accuracy")
    # above 0.6 and up to 0.8: 0.9 and 0.8 in, 0.6 out; only the 0.3 positive is wrong
    assert best["accuracy"] == 0.8333
    assert 0.6 < best["threshold"] <= 0.8
    f1 = pick_threshold(LABELS, PROBS, "f1")
    assert f1["f1"] == 0.8571 and 0.2 < f1["threshold"] <= 0.3  # all 3 positives, 1 FP


class TableJudge:
    name = "table"
    threshold = 0.5

    async def supported(self, passages: list[str], claim: str) -> float:
        return PROBS[int(claim)]


def test_calibrate_reports_and_picks(tmp_path: Path) -> None:
    path = tmp_path / "judge.jsonl"
    rows = [
        {"id": f"j{i}", "passages": ["p"], "claim": str(i), "supported": y, "type": "t" + str(y)}
        for i, y in enumerate(LABELS)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    pairs = load_pairs(path)
    assert pairs[0] == JudgePair(id="j0", passages=("p",), claim="0", supported=True, type="tTrue")
    cal = asyncio.run(calibrate(TableJudge(), pairs, "accuracy", progress=False))
    assert cal["n"] == 6 and cal["n_supported"] == 3 and cal["best"]["accuracy"] == 0.8333
    assert cal["at_current_threshold"]["accuracy"] == 0.6667
    assert cal["by_type"]["tFalse"] == {"n": 3, "label": False, "accuracy": 1.0}
    assert len(cal["grid"]) == 19 and [p["p"] for p in cal["pairs"]] == PROBS
    text = format_calibration(cal)
    assert "| threshold | accuracy | precision | recall | f1 | specificity |" in text
    assert "picked threshold" in text


def test_shipped_judge_set_is_big_and_balanced_enough() -> None:
    pairs = load_pairs(ROOT / "eval" / "datasets" / "judge.jsonl")
    assert len(pairs) >= 60
    types = {p.type for p in pairs}
    assert {"paraphrase", "wrong_number", "wrong_name", "absent_but_true"} <= types
    assert 0.3 < sum(p.supported for p in pairs) / len(pairs) < 0.7


@pytest.mark.llm
def test_real_llm_judge_on_one_pair() -> None:
    """The llama.cpp Qwen 1.5B judge (the default) tells a paraphrase from a wrong number."""
    gguf = ROOT / "models" / "qwen1.5b.gguf"
    if not gguf.is_file():
        pytest.fail(f"{gguf} is missing: make models-gguf GGUF_MODEL=qwen1.5b")
    judge = build_judge(JudgeSettings(kind="llm", gguf_path=gguf))
    assert isinstance(judge, LLMJudge)

    async def both() -> tuple[float, float]:
        try:
            yes = await judge.supported([LORA], "LoRA 只训练新增的低秩矩阵，所以可训练参数少。")
            no = await judge.supported([LORA], "LoRA 需要训练模型的全部参数。")
            return yes, no
        finally:
            await judge.aclose()

    yes, no = asyncio.run(both())
    # Separation, not the 0.5 point: P(是) for the paraphrase was above 0.5 where this test was
    # written and 0.494 on an AVX2-only EPYC (llama.cpp picks its kernels per CPU), with the
    # wrong claim at 0.185. eval.run counts support at a threshold calibrated on labelled
    # pairs, not at 0.5.
    assert 0.0 <= no < 0.5 and no <= yes <= 1.0
    assert yes - no >= 0.25, (yes, no)
