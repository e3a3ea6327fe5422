"""Simulator page: if PGP stops at release R, who meets an unsigned-for-them release, and for how long?

Thin on purpose: the rules, the Monte Carlo, the charts and the tables all live in
``analysis.simulation`` / ``analysis.timeline_chart`` (the same code as ``python -m analysis
simulate``). Expensive results are cached on the store's generation, so a new answer invalidates
them and moving a slider back and forth costs nothing the second time.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from ui.asof import as_of_control
from ui.auth import require_reviewer
from ui.charts import show_chart
from ui.people_text import show_words

require_reviewer()

from analysis.models import PrereleaseStart, SigstoreStatus, WorstCase
from analysis.reference_data import option_label, option_labels
from analysis.schedule import builtin_policies, builtin_policy_descriptions, load_schedule
from analysis.simulation import (
    Distributor,
    MonteCarloConfig,
    MonteCarloResult,
    PolicyResult,
    compare_policies,
    comparison_table,
    distributor_table,
    load_distributors,
    recommend,
    run_monte_carlo,
    what_if,
)
from analysis.storage.db import database_url
from analysis.timeline_chart import policy_comparison_figure, timeline_figure
from ui.schedule_notice import show_schedule_status
from ui.store import configured_database_url, get_store

DEFAULT_POLICY = "3.14.0b1"


@st.cache_data(show_spinner=False, max_entries=8)
def distributors(url: str, generation: int, as_of: date | None) -> list[Distributor]:
    """Latest answer per distributor. ``url`` and ``generation`` are the cache key."""
    del url, generation
    return load_distributors(get_store(), as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def deterministic(
    url: str, generation: int, as_of: date | None, policies: tuple[str, ...], extra_lag: int
) -> list[PolicyResult]:
    return compare_policies(distributors(url, generation, as_of), list(policies), extra_lag_days=extra_lag)


@st.cache_data(show_spinner="Simulating…", max_entries=16)
def monte_carlo(
    url: str, generation: int, as_of: date | None, policies: tuple[str, ...], extra_lag: int, config: MonteCarloConfig
) -> MonteCarloResult:
    return run_monte_carlo(distributors(url, generation, as_of), list(policies), config, extra_lag_days=extra_lag)


def _policy_words(name: str) -> str:
    description = builtin_policy_descriptions().get(name)
    release = load_schedule().get(name)
    when = release.date.isoformat() if release else ""
    return f"{name} ({when}) — {description}" if description else f"{name} ({when})"


st.title("Discontinuation timeline simulator")
st.write(
    "If CPython stops PGP-signing at a given release (older lines keep PGP until their end of life), which "
    "distributors meet an unsigned-for-them release before they can verify Sigstore, for how long, and how bad "
    "is it for them? Dates are the real release dates (planned ones for releases not yet made)."
)
show_schedule_status()

store = get_store()
url = database_url(configured_database_url())
generation = store.generation()
as_of = as_of_control()
people = distributors(url, generation, as_of)
if not people:
    st.info(
        "No survey answers yet, so there is nobody to simulate. Answers appear here as soon as distributors "
        "submit the survey, or load the illustrative seed answers with "
        "`python -m analysis import data/seed_responses.json`."
    )
    st.stop()

schedule = load_schedule()
builtins = [p.name for p in builtin_policies(schedule)]
choices = builtins + [name for name in schedule.names() if name not in builtins]

with st.container(border=True):
    left, middle, right = st.columns([3, 2, 2])
    policy_name = left.selectbox(
        "Policy: the first release published without PGP",
        choices,
        index=choices.index(DEFAULT_POLICY),
        format_func=_policy_words,
        help="The built-in policies come first; any release of the schedule can be chosen.",
        key="sim-policy",
    )
    extra_lag = middle.slider(
        "Extra lag for everyone (days)",
        min_value=-60,
        max_value=180,
        value=0,
        step=7,
        help="Added to every distributor's answered lag (never below zero): what if everyone starts later?",
        key="sim-extra-lag",
    )
    threshold = right.number_input(
        "Recommendation threshold (weighted days)",
        min_value=0.0,
        value=1000.0,
        step=50.0,
        help="A policy is acceptable when its expected severity-weighted exposure is below this.",
        key="sim-threshold",
    )
    with st.expander("Uncertainty (Monte Carlo)"):
        c1, c2, c3, c4 = st.columns(4)
        draws = int(c1.number_input("Draws", min_value=100, max_value=20_000, value=2000, step=500, key="sim-draws"))
        seed = int(
            c2.number_input("Seed", min_value=0, value=761, step=1, help="Same seed, same numbers.", key="sim-seed")
        )
        before = c3.slider(
            "Default spread before likely (days)", 0, 180, 30, help="Used when no earliest date was given."
        )
        after = c4.slider("Default spread after likely (days)", 0, 365, 90, help="Used when no latest date was given.")
        c5, c6 = st.columns(2)
        basis = c5.radio(
            "Release slips measured from",
            ["last", "first"],
            format_func=lambda b: "the last announced date" if b == "last" else "the original plan",
            horizontal=True,
        )
        redraw = c6.checkbox(
            "Also re-draw releases that already happened (as seen at decision time)",
            help="Off: a release that happened keeps its actual date.",
        )
config = MonteCarloConfig(
    draws=draws,
    seed=seed,
    spread_before_days=before,
    spread_after_days=after,
    slip_basis="first" if basis == "first" else "last",
    redraw_past=redraw,
)

result = deterministic(url, generation, as_of, (policy_name,), extra_lag)[0]
mc = monte_carlo(url, generation, as_of, (policy_name,), extra_lag, config).policies[0]

m1, m2, m3, m4 = st.columns(4)
m1.metric("Distributors exposed", f"{result.n_exposed} of {len(result.distributors)}")
m2.metric(
    "Exposure unknown",
    result.n_unknown,
    help="No likely ready date, or did not say whether they verify PGP today: never counted as zero exposure.",
)
m3.metric("Exposure days", f"{result.total_exposed_days:,}")
m4.metric(
    "Severity-weighted days",
    f"{result.weighted_exposed_days:,.0f}",
    help="Exposure days times the weight of each distributor's severity (data/severity.toml).",
)
unverified = [r.distributor for r in result.unverified_today]
if unverified:
    # Listed apart: PGP stopping costs them nothing, but the council should see who verifies nothing.
    st.warning(
        f"**Ship unverified today ({len(unverified)}).** They do not verify CPython's PGP signatures now, so PGP "
        "stopping takes nothing from them: not exposed, not counted as unknown. They verify no signature at all.",
        icon=":material/gpp_maybe:",
    )
    show_words(", ".join(unverified))
lo, hi = mc.exposed_interval
wlo, whi = mc.weighted_interval
u1, u2, u3, _ = st.columns(4)
u1.metric("Expected exposed", f"{mc.expected_exposed:.1f}", help="Mean over the Monte Carlo draws.")
u2.metric("Exposed, 90% of draws", f"{lo:.0f} to {hi:.0f}")
u3.metric(
    "Expected weighted days",
    f"{mc.expected_weighted_days:,.0f}",
    help=f"90% of draws: {wlo:,.0f} to {whi:,.0f}. {mc.draws:,} draws, seed {config.seed}.",
)

st.subheader(f"Timeline: PGP stops at {result.policy.name}")
st.caption(
    "Rows at the top: release lines with their alpha, beta (highlighted) and release-candidate phases; diamonds are "
    "the x.y.0 finals. Each bar runs from when a distributor starts fetching the line to when it expects to verify "
    "Sigstore. Hover a bar for the reasoning."
)
show_chart(timeline_figure(result, schedule, today=date.today()), key="sim_timeline")

st.subheader("Per distributor")
st.dataframe(
    distributor_table(result, mc),
    hide_index=True,
    width="stretch",
    column_config={
        "P(exposed)": st.column_config.ProgressColumn("P(exposed)", min_value=0.0, max_value=1.0, format="percent"),
        "p50 days": st.column_config.NumberColumn("p50 days", format="%d"),
        "p90 days": st.column_config.NumberColumn("p90 days", format="%d"),
        "Why": st.column_config.TextColumn("Why", width="large"),
    },
)

st.subheader("All built-in policies side by side")
det_all = deterministic(url, generation, as_of, tuple(builtins), extra_lag)
mc_all = monte_carlo(url, generation, as_of, tuple(builtins), extra_lag, config)
advice = recommend(mc_all.policies, threshold)
(st.success if advice.policy else st.warning)(advice.sentence)
show_chart(
    policy_comparison_figure(det_all, mc_all, threshold=threshold, recommended=advice.policy), key="sim_comparison"
)
st.dataframe(comparison_table(det_all, mc_all), hide_index=True, width="stretch")

st.subheader("What if one distributor answered differently?")
st.caption("Change the answers below to see the exposure change. The stored answer is not touched.")
by_name = {d.name: d for d in people}
# Start with the most exposed distributor: the case a reviewer most likely wants to question.
first = max(result.distributors, key=lambda r: r.exposed_days or 0).distributor
who = st.selectbox("Distributor", list(by_name), index=list(by_name).index(first), key="sim-whatif-who")
base = by_name[who]
k = f"whatif-{base.key}"
w1, w2, w3 = st.columns(3)
stages = [s.value for s in PrereleaseStart]
statuses = [s.value for s in SigstoreStatus]
new_stage = w1.selectbox(
    "Starts fetching at",
    stages,
    index=stages.index(base.prerelease_start),
    key=f"{k}-stage",
    format_func=lambda c: option_label("prerelease_start", c),
)
new_lag = w1.number_input("Days after that release", 0, 3650, base.lag_days, key=f"{k}-lag")
pgp_choices = ["", "yes", "no", "unsure"]  # "" = not answered (None), as on the survey form
new_pgp = w1.selectbox(
    "Verifies PGP today",
    pgp_choices,
    index=pgp_choices.index(base.verifies_pgp_today or ""),
    key=f"{k}-pgp",
    format_func=lambda c: "— not answered —" if not c else option_label("verifies_pgp_today", c),
)
new_status = w2.selectbox(
    "Sigstore status",
    statuses,
    index=statuses.index(base.sigstore_status),
    key=f"{k}-status",
    format_func=lambda c: option_label("sigstore_status", c),
)
new_likely = w2.date_input("Ready: likely", value=base.ready_likely, key=f"{k}-likely", format="YYYY-MM-DD")
new_earliest = w3.date_input("Ready: earliest", value=base.ready_earliest, key=f"{k}-earliest", format="YYYY-MM-DD")
new_latest = w3.date_input("Ready: latest", value=base.ready_latest, key=f"{k}-latest", format="YYYY-MM-DD")
worst_codes = [w.value for w in WorstCase]
new_worst = st.multiselect(
    "Worst case",
    worst_codes,
    default=list(base.worst_case),
    key=f"{k}-worst",
    format_func=lambda c: option_labels("worst_case").get(c, c),
)
changes = {
    "prerelease_start": new_stage,
    "prerelease_lag_days": int(new_lag),
    "sigstore_status": new_status,
    "ready_likely": new_likely,
    "ready_earliest": new_earliest,
    "ready_latest": new_latest,
    "worst_case": new_worst,
    "verifies_pgp_today": new_pgp or None,
}
try:
    scenario = what_if(base, changes, result.policy, schedule, config, extra_lag)
except ValueError as exc:  # e.g. earliest after likely is still simulated, but bad input must not crash
    st.error(str(exc))
else:
    b, a = scenario.before, scenario.after

    def _days(outcome_days: int | None) -> str:
        return "unknown" if outcome_days is None else f"{outcome_days} days"

    x1, x2, x3 = st.columns(3)
    delta = scenario.delta_days
    x1.metric(
        "Exposed days (likely dates)",
        _days(a.deterministic.exposed_days),
        delta=None if not delta else f"{delta:+d} days",
        delta_color="inverse",
    )
    x2.metric(
        "P(exposed)",
        "unknown" if a.p_exposed is None else f"{a.p_exposed:.0%}",
        delta=None
        if a.p_exposed is None or b.p_exposed is None or round(a.p_exposed - b.p_exposed, 2) == 0
        else f"{(a.p_exposed - b.p_exposed):+.0%}",
        delta_color="inverse",
    )
    # Severity says how bad exposure is: it applies only to an exposed outcome.
    now_severity = a.deterministic.shown_severity or f"none ({a.deterministic.status})"
    was_severity = b.deterministic.shown_severity or f"none ({b.deterministic.status})"
    x3.metric(
        "Severity",
        now_severity,
        delta=None if now_severity == was_severity else f"was {was_severity}",
        delta_color="off",
    )
    # The explanations name the distributor (respondents' words): the text itself is shown as text.
    show_words(b.deterministic.explanation, label="As answered")
    show_words(a.deterministic.explanation, label="What if")
