"""``python -m analysis simulate``: who meets an unsigned-for-them release under a PGP cut-off policy.

``--policy RELEASE`` simulates one policy (the first release published without PGP); ``--compare``
simulates every built-in policy (``data/policies.csv``) side by side. The deterministic model runs
by default; ``--draws N`` and/or ``--seed S`` add the Monte Carlo (same seed, same numbers).

Exit codes: 0 done (also with an empty store: the output says so); 2 bad usage, e.g. a policy that
is not a release in ``data/release_schedule.csv``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import pandas as pd

from analysis.cli_args import add_as_of
from analysis.schedule import UnknownPolicyError, builtin_policies, load_schedule, resolve_policy
from analysis.simulation import (
    MonteCarloConfig,
    compare_policies,
    load_distributors,
    recommend,
    run_monte_carlo,
    simulate_policy,
)
from analysis.storage import open_store
from analysis.storage.db import resolve_database_url

DEFAULT_SEED = 761
DEFAULT_DRAWS = 2000
MAX_DRAWS = 100_000
DEFAULT_THRESHOLD = 1000.0
EXIT_USAGE = 2
#: Columns of ``--format table`` (JSON and CSV carry everything).
TABLE_COLUMNS = (
    "distributor",
    "fetch_start",
    "first_affected_date",
    "ready_date",
    "exposed_days",
    "severity",
    "status",
    "p_exposed",
    "p50_exposed_days",
    "p90_exposed_days",
    "policy",
    "policy_date",
    "exposed",
    "unknown",
    "unverified_today",
    "total_exposed_days",
    "weighted_exposed_days",
    "mc_expected_exposed",
    "mc_exposed_interval_90",
    "mc_expected_weighted_days",
    "mc_weighted_interval_90",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate a PGP cut-off policy against the survey answers and the release schedule",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--policy", metavar="RELEASE", help="first release without PGP, e.g. 3.14.0b1")
    which.add_argument("--compare", action="store_true", help="compare all built-in policies")
    p.add_argument(
        "--deterministic", action="store_true", help="only the deterministic model (the default without --draws)"
    )
    p.add_argument("--draws", type=int, default=None, help=f"Monte Carlo draws (default {DEFAULT_DRAWS:,} with --seed)")
    p.add_argument("--seed", type=int, default=None, help=f"Monte Carlo seed (default {DEFAULT_SEED})")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")
    add_as_of(p)
    p.add_argument(
        "--extra-lag",
        type=int,
        default=0,
        metavar="DAYS",
        help="days added to every distributor's lag (what if all were later)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"with --compare and Monte Carlo: severity-weighted exposure days under which a policy is recommended "
        f"(default {DEFAULT_THRESHOLD:,.0f})",
    )
    p.add_argument(
        "--slip-basis",
        choices=["last", "first"],
        default="last",
        help="release slips measured from the last announced date (default) or the original plan",
    )
    p.add_argument(
        "--redraw-past", action="store_true", help="also slip releases that already happened (decision-time view)"
    )
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"python -m analysis simulate: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _config(args: argparse.Namespace) -> MonteCarloConfig | None:
    if args.deterministic or (args.draws is None and args.seed is None):
        return None
    return MonteCarloConfig(
        draws=args.draws or DEFAULT_DRAWS,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        slip_basis=args.slip_basis,
        redraw_past=args.redraw_past,
    )


def _clean(value: Any) -> Any:
    """NaN -> None and numpy scalars -> Python numbers, so the JSON is valid and stable."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _clean(value.item())
    if isinstance(value, float):
        return round(value, 4)
    return value


def run(args: argparse.Namespace) -> int:
    if args.deterministic and (args.draws is not None or args.seed is not None):
        return _fail("--deterministic cannot be combined with --draws or --seed")
    if args.draws is not None and not 2 <= args.draws <= MAX_DRAWS:
        return _fail(f"--draws must be between 2 and {MAX_DRAWS:,}")
    schedule = load_schedule()
    try:
        policy = resolve_policy(args.policy, schedule) if args.policy else None
    except UnknownPolicyError as exc:
        return _fail(str(exc))
    config = _config(args)
    distributors = load_distributors(open_store(resolve_database_url(args.database_url)), args.as_of)
    if not distributors:
        print(
            "No responses in the store: nothing to simulate (import some with `python -m analysis import`).",
            file=sys.stderr,
        )

    if policy is not None:
        det = simulate_policy(distributors, policy, schedule, args.extra_lag)
        payload = det.as_json()
        rows = [dict(r) for r in payload["distributors"]]
        if config is not None:
            mc = run_monte_carlo(distributors, [policy], config, schedule, args.extra_lag).policies[0]
            payload["monte_carlo"] = {"seed": config.seed, **mc.summary()}
            stats = mc.distributor_frame().to_dict("records")
            for row, stat in zip(rows, stats, strict=True):
                row.update(
                    p_exposed=_clean(stat["p_exposed"]),
                    p50_exposed_days=_clean(stat["p50_days"]),
                    p90_exposed_days=_clean(stat["p90_days"]),
                    mean_exposed_days=_clean(stat["mean_days"]),
                )
            payload["distributors"] = rows
        return _emit(args.format, payload, rows, _policy_header(payload))

    policies = builtin_policies(schedule)
    det_results = compare_policies(distributors, policies, schedule, args.extra_lag)
    summaries = [r.summary() for r in det_results]
    payload = {"extra_lag_days": args.extra_lag, "policies": summaries}
    if config is not None:
        mc_result = run_monte_carlo(distributors, policies, config, schedule, args.extra_lag)
        for summary, dist in zip(summaries, mc_result.policies, strict=True):
            mc_summary = dist.summary()
            summary["monte_carlo"] = {
                k: v for k, v in mc_summary.items() if k not in ("policy", "policy_date", "description")
            }
        rec = recommend(mc_result.policies, args.threshold)
        payload.update(draws=config.draws, seed=config.seed)
        payload["recommendation"] = {"policy": rec.policy, "threshold": rec.threshold, "sentence": rec.sentence}
    flat = [_flatten(s) for s in summaries]
    header = payload.get("recommendation", {}).get("sentence", "")
    return _emit(args.format, payload, flat, header)


def _policy_header(payload: dict[str, Any]) -> str:
    s = payload["summary"]
    return (
        f"Policy {s['policy']} ({s['policy_date']}): {s['exposed']} of {s['distributors']} distributors exposed, "
        f"{s['unknown']} unknown, {s['total_exposed_days']} exposure days "
        f"({s['weighted_exposed_days']} severity-weighted); {s['unverified_today']} ship unverified today "
        "(they do not verify PGP now: not exposed)."
    )


def _flatten(summary: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in summary.items() if k != "monte_carlo"}
    for key, value in summary.get("monte_carlo", {}).items():
        flat[f"mc_{key}"] = " to ".join(str(v) for v in value) if isinstance(value, list) else value
    return flat


def _emit(fmt: str, payload: dict[str, Any], rows: list[dict[str, Any]], header: str) -> int:
    if fmt == "json":
        print(json.dumps(payload, indent=2, default=_clean))
        return 0
    frame = pd.DataFrame(rows)
    if fmt == "csv":
        print(frame.to_csv(index=False), end="")
        return 0
    if header:
        print(header)
    if frame.empty:
        print("(no distributors)")
        return 0
    table = frame[[c for c in frame.columns if c in TABLE_COLUMNS]]
    print(table.to_string(index=False, na_rep="unknown"))
    if "explanation" in frame:
        print()
        for sentence in frame["explanation"]:
            print(f"- {sentence}")
    return 0
