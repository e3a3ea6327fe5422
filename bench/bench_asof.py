"""Benchmark of the as-of views: cross-tab at a past date vs the current cross-tab, and the trends.

Run: ``.venv/bin/python -m bench.bench_asof [--revisions 100000] [--distributors 1000]``.

For N revisions (80 % first answers, 20 % later revisions of them) in SQLite it prints, per N:

* baseline: ``latest_frame`` (narrow table) + one cross-tab, and the cross-tab alone;
* as of a date in the middle of the history: every revision loaded (``revisions_frame``) + the
  as-of rule (``state_as_of``) + the same cross-tab, and the rule + cross-tab from the loaded frame;
* the overview's trend data (``progress_over_time``: 60 dates, status counts and readiness drift);

and the ratio to the baseline. Times are printed, not asserted: benchmarks are not tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from analysis.crosstab import ANALYSIS_COLUMNS, crosstab, state_as_of
from analysis.progress.trends import progress_over_time
from analysis.storage import open_store
from analysis.storage.history import frame_as_of, revisions_frame
from bench.synthetic import generate_responses, generate_revisions

ROW, COL = "distributor_kind", "sigstore_status"


def _ms(fn: Callable[[], object], repeat: int = 3) -> float:
    """Median of ``repeat`` runs, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench(n_revisions: int, n_distributors: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SURVEY_DATA_DIR"] = tmp
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        first = generate_responses(int(n_revisions / 1.25), n_distributors, seed)
        later = generate_revisions(first, fraction=0.25, seed=seed)
        store.import_responses(first)
        store.import_responses(later)
        revisions = store.stats()["revisions"]
        frame = store.latest_frame(columns=ANALYSIS_COLUMNS)
        days = sorted(s.submitted_at.date() for s in first if s.submitted_at)
        as_of = days[len(days) // 2] if days else date.today()
        loaded = revisions_frame(store, columns=ANALYSIS_COLUMNS)
        out = {
            "revisions": float(revisions),
            "baseline_load_xtab": _ms(lambda: crosstab(store.latest_frame(columns=ANALYSIS_COLUMNS), ROW, COL)),
            "baseline_xtab": _ms(lambda: crosstab(frame, ROW, COL)),
            "asof_load_xtab": _ms(lambda: crosstab(frame_as_of(store, as_of, ANALYSIS_COLUMNS), ROW, COL)),
            "asof_xtab": _ms(lambda: crosstab(state_as_of(loaded, as_of), ROW, COL)),
            "trends": _ms(lambda: progress_over_time(loaded), repeat=1),
        }
        print(
            f"N={revisions:>7,} revisions (as of {as_of}): "
            f"load+xtab {out['baseline_load_xtab']:.0f} ms now / {out['asof_load_xtab']:.0f} ms as of "
            f"({out['asof_load_xtab'] / out['baseline_load_xtab']:.1f}x); "
            f"from memory {out['baseline_xtab']:.1f} ms now / {out['asof_xtab']:.1f} ms as of "
            f"({out['asof_xtab'] / out['baseline_xtab']:.1f}x); trends (60 dates) {out['trends']:.0f} ms"
        )
        store.engine.dispose()
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--distributors", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=761)
    args = parser.parse_args()
    sizes = sorted({max(1_000, args.revisions // 10), max(1_000, args.revisions // 3), args.revisions})
    results = [bench(n, args.distributors, args.seed) for n in sizes]
    base = results[0]
    print("growth with N (relative to the smallest N):")
    for r in results:
        scale = r["revisions"] / base["revisions"]
        print(
            f"  N x{scale:4.1f}: as-of load+xtab x{r['asof_load_xtab'] / base['asof_load_xtab']:.1f}, "
            f"as-of xtab x{r['asof_xtab'] / base['asof_xtab']:.1f}, trends x{r['trends'] / base['trends']:.1f} "
            f"(linear would be x{scale:.1f})"
        )


if __name__ == "__main__":
    main()
