"""Benchmark: Monte Carlo of 10,000 draws x 1,000 distributors x 7 built-in policies.

Target (issue #5): under 1 s on the 2-core reference machine. Run with
``.venv/bin/python -m bench.bench_simulate [--draws N] [--distributors N] [--repeat R]``.
Distributors come from ``bench.synthetic`` (one per response, no de-duplication, so the array
really is 1,000 rows); setup time is reported apart from the simulation time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

from analysis.schedule import builtin_policies
from analysis.simulation import MonteCarloConfig, run_monte_carlo
from analysis.simulation.inputs import Distributor, from_response
from bench.synthetic import generate_responses


def synthetic_distributors(n: int, seed: int = 0) -> list[Distributor]:
    """``n`` distributors shaped like survey answers (one per synthetic response)."""
    return [from_response(r) for r in generate_responses(n, n, seed)]


def _activate(d: Distributor) -> Distributor:
    """The same distributor with a ready date (2025-10-01 when it gave none), not in production and
    verifying PGP today (so that every row is simulated)."""
    likely = d.ready_likely or date(2025, 10, 1)
    return d.with_answers(sigstore_status="evaluating", ready_likely=likely, verifies_pgp_today="yes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--distributors", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=761)
    parser.add_argument(
        "--all-active",
        action="store_true",
        help="worst case: give every distributor a ready date and none in production (all rows simulated)",
    )
    parser.add_argument(
        "--redraw-past",
        action="store_true",
        help="also slip releases that already happened, so no policy takes the fixed-date fast path",
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    distributors = synthetic_distributors(args.distributors)
    if args.all_active:
        distributors = [_activate(d) for d in distributors]
    policies = builtin_policies()
    setup = time.perf_counter() - t0
    active = sum(
        1
        for d in distributors
        if d.ready_likely is not None and not (d.in_production or d.ships_unverified or d.pgp_unanswered)
    )
    config = MonteCarloConfig(draws=args.draws, seed=args.seed, redraw_past=args.redraw_past)
    run_monte_carlo(distributors, policies, config)  # warm-up (imports, page faults)
    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        run_monte_carlo(distributors, policies, config)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(
        f"simulate: {args.draws:,} draws x {len(distributors):,} distributors ({active:,} simulated: a ready "
        f"date, not in production, verifying PGP today) x {len(policies)} policies"
    )
    print(f"options: all_active={args.all_active} redraw_past={args.redraw_past}")
    print(f"setup (synthetic answers): {setup:.2f} s")
    print(f"simulation: best {min(times):.3f} s, median {statistics.median(times):.3f} s over {args.repeat} runs")
    # CPU time is less sensitive to other processes on a shared machine than wall time.
    print(f"cpu time: best {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: wall times are inflated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
