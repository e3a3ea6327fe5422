"""Result tables with column names in words, shared by the page, the CLI's readers and reports.

Kept apart from the models so that what a reader sees (labels, rounding, order) is decided once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.simulation.deterministic import DistributorResult, PolicyResult
from analysis.simulation.montecarlo import MonteCarloResult, PolicyDistribution

STATUS_ORDER = {"exposed": 0, "unknown": 1, "unverified today": 2, "not exposed": 3, "in production": 4}


def _ready_words(r: DistributorResult) -> str:
    if r.status == "in production":
        return "already verifying"
    if r.status == "unverified today":
        return "does not verify PGP today"
    return r.ready_date.isoformat() if r.ready_date else "unknown"


def distributor_table(result: PolicyResult, mc: PolicyDistribution | None = None) -> pd.DataFrame:
    """One row per distributor, exposed first (longest first), then unknown, then the rest."""
    rows = []
    stats = {name: i for i, name in enumerate(mc.names)} if mc is not None else {}
    for r in result.distributors:
        row: dict[str, object] = {
            "Distributor": r.distributor,
            "Status": r.status,
            "Starts fetching": r.fetch_start,
            "First unsigned release": r.first_affected_date,
            "Ready (likely)": _ready_words(r),
            "Exposed days": r.exposed_days,
            "Severity": r.shown_severity or "—",
        }
        if mc is not None:
            i = stats.get(r.distributor)
            for label, values in (("P(exposed)", mc.p_exposed), ("p50 days", mc.p50_days), ("p90 days", mc.p90_days)):
                value = np.nan if i is None else float(values[i])
                row[label] = None if np.isnan(value) else value
        row["Why"] = r.explanation
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["Exposed days"] = frame["Exposed days"].astype("Int64")
    order = frame["Status"].map(STATUS_ORDER).fillna(9)
    frame = frame.assign(_o=order, _d=-frame["Exposed days"].fillna(0).astype(int))
    return frame.sort_values(["_o", "_d", "Distributor"]).drop(columns=["_o", "_d"]).reset_index(drop=True)


def comparison_table(results: Sequence[PolicyResult], mc: MonteCarloResult | None = None) -> pd.DataFrame:
    """One row per policy, earliest first: deterministic counts and, when given, the Monte Carlo."""
    by_name = {p.policy.name: p for p in mc.policies} if mc is not None else {}
    rows = []
    for r in sorted(results, key=lambda r: r.policy.date):
        row: dict[str, object] = {
            "Policy": r.policy.name,
            "PGP stops on": r.policy.date,
            "Exposed": r.n_exposed,
            "Unknown": r.n_unknown,
            "Ship unverified today": len(r.unverified_today),
            "Exposed days": r.total_exposed_days,
            "Weighted days": round(r.weighted_exposed_days, 1),
        }
        m = by_name.get(r.policy.name)
        if m is not None:
            lo, hi = m.exposed_interval
            wlo, whi = m.weighted_interval
            row.update(
                {
                    "Expected exposed": round(m.expected_exposed, 2),
                    "Exposed, 90% of draws": f"{lo:.0f}–{hi:.0f}",
                    "Expected weighted days": round(m.expected_weighted_days, 1),
                    "Weighted days, 90% of draws": f"{wlo:,.0f}–{whi:,.0f}",
                }
            )
        row["What it means"] = r.policy.description
        rows.append(row)
    return pd.DataFrame(rows)
