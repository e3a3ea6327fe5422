"""The PEP 761 discontinuation simulator: who meets an unsigned-for-them release, for how long,
and how bad it is for them.

``deterministic`` applies the issue's rules with one date per release; ``montecarlo`` draws
release slips and ready dates around them; ``recommend`` turns the Monte Carlo summary into one
sentence; ``whatif`` replays one distributor with changed answers. No Streamlit here.
"""

from analysis.simulation.deterministic import (
    DistributorResult,
    PolicyResult,
    compare_policies,
    simulate_distributor,
    simulate_policy,
)
from analysis.simulation.inputs import (
    Distributor,
    distributors_from_frame,
    distributors_from_responses,
    load_distributors,
    make_distributor,
)
from analysis.simulation.montecarlo import MonteCarloConfig, MonteCarloResult, PolicyDistribution, run_monte_carlo
from analysis.simulation.recommend import Recommendation, recommend
from analysis.simulation.tables import comparison_table, distributor_table
from analysis.simulation.whatif import WhatIf, what_if

__all__ = [
    "Distributor",
    "DistributorResult",
    "MonteCarloConfig",
    "MonteCarloResult",
    "PolicyDistribution",
    "PolicyResult",
    "Recommendation",
    "WhatIf",
    "compare_policies",
    "comparison_table",
    "distributor_table",
    "distributors_from_frame",
    "distributors_from_responses",
    "load_distributors",
    "make_distributor",
    "recommend",
    "run_monte_carlo",
    "simulate_distributor",
    "simulate_policy",
    "what_if",
]
