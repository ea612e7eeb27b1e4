"""Score the errata's second blind round: `python eval/reviews/2026-12-04-g/score_review_g.py`.

One reviewer (an independent agent, not the pipeline and not the eval judge) read the 7 dev
answers that changed between A (the errata of eval/reviews/2026-12-04-f, with caveats) and B
(commit c229bbc: every entry leaves its statement out, five more entries, LoRA's "why faster"
section retracted), both versions shuffled and unlabelled, with the same INSTRUCTIONS.md.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location(
    "score_review_f", HERE.parent / "2026-12-04-f" / "score_review_f.py"
)
assert _spec and _spec.loader
_f = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_f)

if __name__ == "__main__":
    _f.main(HERE, (0,))
