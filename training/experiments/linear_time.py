"""Show that feature extraction takes time linear in the line's length.

For each pathological line (long runs of digits, colons, dots, spaces, repeated
words, and shapes that make naive patterns backtrack: "a-a-a-...", "a@a@...",
"1 1 1 ..."), at 1x, 10x and 100x its base length, prints:

* the time of every regular expression in ``bpclass.patterns`` run over the whole
  line (no length cap), and
* the time of ``bpclass.page_features`` on a page holding that line (which caps what
  the patterns see at ``MAX_PATTERN_CHARS``),

and the ratios 10x/1x and 100x/1x. Linear time shows as ratios near 10 and 100 for
the uncapped patterns (quadratic would be 100 and 10,000).

    python -m training.experiments.linear_time              # base length 1,000 characters
    python -m training.experiments.linear_time --base 5000
"""

from __future__ import annotations

import re
import sys
import time

from bpclass import patterns
from bpclass.features import page_features
from training import script_parser

SHAPES = {
    "digits": "7",
    "colons": ":",
    "dots": ".",
    "spaces": " ",
    "repeated words": "news ",
    "dash chain": "a-",
    "at chain": "a@",
    "dot chain": "a.",
    "digit space": "1 ",
    "ellipses": "...",
    "time-like": "12:3",
}
SCALES = (1, 10, 100)


def _best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _all_patterns(line: str, compiled: list[re.Pattern]) -> None:
    for pattern in compiled:
        pattern.findall(line)


def measure(base: int) -> list[tuple[str, list[float], list[float]]]:
    compiled = [v for v in vars(patterns).values() if isinstance(v, re.Pattern)]
    rows = []
    for name, unit in SHAPES.items():
        pattern_times, feature_times = [], []
        for scale in SCALES:
            line = (unit * (base * scale // len(unit) + 1))[: base * scale]
            pattern_times.append(_best_of(lambda line=line: _all_patterns(line, compiled)))
            page = ["Headline", "", line, "A closing sentence of the body."]
            feature_times.append(_best_of(lambda page=page: page_features(page)))
        rows.append((name, pattern_times, feature_times))
    return rows


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.experiments.linear_time")
    parser.add_argument("--base", type=int, default=1000, help="base line length in characters (default 1000)")
    args = parser.parse_args(argv)
    n_patterns = sum(isinstance(v, re.Pattern) for v in vars(patterns).values())
    print(f"{n_patterns} patterns; lines of {args.base:,}, {10 * args.base:,} and {100 * args.base:,} characters")
    print(
        f"{'line shape':<16}{'patterns 1x':>12}{'10x':>10}{'100x':>10}{'ratio 10x':>11}{'100x':>8}"
        f"{'features 1x':>13}{'100x':>10}"
    )
    worst = 0.0
    for name, pt, ft in measure(args.base):
        r10, r100 = pt[1] / pt[0], pt[2] / pt[0]
        worst = max(worst, r100)
        print(
            f"{name:<16}{pt[0] * 1e3:>10.2f}ms{pt[1] * 1e3:>8.2f}ms{pt[2] * 1e3:>8.1f}ms"
            f"{r10:>11.1f}{r100:>8.1f}{ft[0] * 1e3:>11.2f}ms{ft[2] * 1e3:>8.2f}ms"
        )
    print(f"largest 100x/1x ratio of the patterns: {worst:.0f} (linear: ~100; quadratic: ~10,000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
