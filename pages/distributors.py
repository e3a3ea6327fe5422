"""Distributor cards: latest answer, revision history, duplicate claims, verification evidence.

Contacts policy (the safe choice): contacts and roles are personal data and are shown only to a
signed-in reviewer of an app where reviewers are configured. An app running open for local use
(no reviewers configured) hides them too, because "open" may mean reachable by anyone.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis.crosstab import (
    COMPARED_FIELDS,
    disagreements,
    duplicate_distributors,
    label_for_value,
    latest_per_distributor,
    short_label,
)
from analysis.reference_data import option_label
from analysis.storage import ResponseStore
from analysis.survey_form import dual_signing_words
from ui.asof import as_of_control
from ui.auth import is_reviewer, require_reviewer, reviewers_configured
from ui.distributor_link import DISTRIBUTOR_PARAM, one_distributor_from_url
from ui.people_text import md_escape, show_words
from ui.review_data import answers_frame, empty_state, store_and_key

PAGE_SIZE = 20
UNKNOWN = "unknown"
#: The contacts table's columns, with the words a reviewer reads.
CONTACT_COLUMNS = {"distributor": "Name given", "respondent_role": "Role", "contact": "Contact"}
EVIDENCE_COLUMNS = {
    "python_version": "Python",
    "artifact": "Artifact",
    "identity": "Signer identity",
    "issuer": "OIDC issuer",
    "tool": "Tool",
    "verified_at": "Verified at (UTC)",
}


def _words(field: str, value: object) -> str:
    """A stored answer in words (lists joined, dates as dates; nothing chosen reads "none", an
    unanswered value "unknown", never "None")."""
    if isinstance(value, list):
        return ", ".join(label_for_value(field, v) for v in value) or "none"
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT or value == "":
        return UNKNOWN
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return label_for_value(field, value)


def _present(value: object) -> str | None:
    """A stored optional text, or None when it is missing (None, NaN, empty)."""
    return None if _words("", value) == UNKNOWN else str(value)


@st.cache_data(show_spinner=False, max_entries=4)
def _duplicates(url: str, generation: int, as_of: date | None) -> pd.DataFrame:
    return duplicate_distributors(answers_frame(url, generation, as_of))


def _card(
    store: ResponseStore, latest: pd.Series, claims: pd.DataFrame, dup: pd.Series | None, show_contacts: bool
) -> None:
    with st.container(border=True):
        head = st.columns([4, 1])
        badge = " · :orange-badge[illustrative]" if latest["illustrative"] else ""
        head[0].markdown(f"### {md_escape(latest['distributor'])}{badge}")
        head[0].caption(option_label("distributor_kind", latest["distributor_kind"]))
        if dup is not None:
            head[1].markdown(f":red-badge[{int(dup['responses'])} responses]")
        cols = st.columns(3)
        lag = int(latest["prerelease_lag_days"])
        cols[0].markdown(
            f"**Starts at:** {_words('prerelease_start', latest['prerelease_start'])}"
            + (f" (+{lag} day{'s' * (lag != 1)})" if lag else "")
            + f"  \n**Sigstore:** {_words('sigstore_status', latest['sigstore_status'])}"
            + f"  \n**Verifies PGP today:** {_words('verifies_pgp_today', latest['verifies_pgp_today'])}"
        )
        cols[1].markdown(
            f"**Blockers:** {_words('blockers', latest['blockers'])}"
            + f"  \n**Worst case:** {_words('worst_case', latest['worst_case'])}"
            + f"  \n**Python:** {_words('python_versions', latest['python_versions'])}"
        )
        cols[2].markdown(
            f"**Ready (earliest / likely / latest):** {_words('', latest['ready_earliest'])} / "
            f"{_words('', latest['ready_likely'])} / {_words('', latest['ready_latest'])}"
            + f"  \n**Needs PGP up to:** {dual_signing_words(_present(latest['dual_signing_until']))}"
            + f"  \n**Submitted:** {pd.Timestamp(latest['submitted_at']).strftime('%Y-%m-%d')}"
        )
        for field in ("blockers_text", "worst_case_text", "comments"):
            if str(latest[field]).strip():
                show_words(latest[field], label=short_label(field))
        if latest["illustrative"] and str(latest["source"]).strip():
            st.caption(f"Illustrative answer. Source: {md_escape(latest['source'])}")
        evidence = latest["verification_evidence"] or []
        if evidence:
            st.markdown(f":green-badge[:material/verified: {len(evidence)} successful Sigstore verification(s)]")
            proof = (
                pd.DataFrame(evidence)
                .reindex(columns=list(EVIDENCE_COLUMNS))
                .rename(columns=EVIDENCE_COLUMNS)
                .fillna(UNKNOWN)
                .replace("", UNKNOWN)
            )
            st.dataframe(proof, hide_index=True, width="stretch")
        if dup is not None:
            _duplicate_section(claims, dup)
        if show_contacts:
            people = claims[list(CONTACT_COLUMNS)].dropna(subset=["contact"])
            if not people.empty:
                st.markdown("**Contacts** (personal data, reviewers only)")
                st.dataframe(
                    people.rename(columns=CONTACT_COLUMNS).fillna(UNKNOWN).replace("", UNKNOWN),
                    hide_index=True,
                    width="stretch",
                )
        with st.expander("Revision history"):
            _history(store, claims)


def _duplicate_section(claims: pd.DataFrame, dup: pd.Series) -> None:
    names = ", ".join(f"“{md_escape(n)}”" for n in dup["names"])
    fields = list(dup["disagreements"])
    if not fields:
        st.warning(
            f"Claimed by {int(dup['responses'])} responses ({names}); their answers agree.",
            icon=":material/content_copy:",
        )
        return
    st.warning(
        f"Claimed by {int(dup['responses'])} responses ({names}); they disagree on: "
        + ", ".join(short_label(f) for f in fields),
        icon=":material/content_copy:",
    )
    detail = disagreements(claims, str(claims["distributor_key"].iloc[0]))
    table = pd.DataFrame(
        {
            "Response": [f"{r[:8]} ({n})" for r, n in zip(claims["response_id"], claims["distributor"], strict=True)],
            **{short_label(f): [_words(f, v) for _, v in detail[f]] for f in COMPARED_FIELDS if f in detail},
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def claims_sorted(claims: pd.DataFrame) -> pd.DataFrame:
    """Claims oldest first (the order ``disagreements`` lists values in)."""
    order = ["submitted_at", "stored_at"]
    return claims.sort_values(order, kind="stable")


def _history(store: ResponseStore, claims: pd.DataFrame) -> None:
    """Every revision of every response claiming this distributor (loaded only for shown cards)."""
    rows = []
    for response_id in claims["response_id"]:
        for rev in store.history(response_id):
            r = rev.response
            rows.append(
                {
                    "Response": response_id[:8],
                    "Revision": rev.revision,
                    "Submitted": (r.submitted_at or rev.stored_at).strftime("%Y-%m-%d %H:%M"),
                    "Name given": r.distributor,
                    "Sigstore": option_label("sigstore_status", r.sigstore_status.value),
                    "Starts at": option_label("prerelease_start", r.prerelease_start.value),
                    "Blockers": ", ".join(option_label("blockers", b.value) for b in r.blockers) or "none",
                }
            )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


require_reviewer()  # before anything reads answers
store, url, generation = store_and_key()

st.title("Distributors")
as_of = as_of_control()
frame = answers_frame(url, generation, as_of)
show_contacts = is_reviewer() and reviewers_configured()
if show_contacts:
    st.caption("Contacts are shown because you are signed in as a reviewer. They are personal data: do not share them.")
else:
    st.caption(
        "Contacts are hidden: they are shown only to signed-in reviewers, and this app has "
        + ("no reviewers configured." if not reviewers_configured() else "not signed you in.")
    )
if frame.empty:
    empty_state("distributor")
    st.stop()

dups = _duplicates(url, generation, as_of)
dup_by_key = {str(r["distributor_key"]): r for _, r in dups.iterrows()}
latest = latest_per_distributor(frame)
st.write(
    f"**{len(latest):,}** distributors from **{len(frame):,}** responses; "
    f"**{len(dups):,}** claimed by several responses (names normalised: case, spacing, aliases)."
)

linked = one_distributor_from_url(latest)
if linked.note:
    st.warning(linked.note, icon=":material/link_off:")
if linked.key is not None:
    st.info("Showing the one distributor named in the link.", icon=":material/link:")
    if st.button("Show all distributors", icon=":material/groups:"):
        st.query_params.pop(DISTRIBUTOR_PARAM, None)
        st.rerun()
    key = linked.key
    row = latest[latest["distributor_key"] == key].iloc[0]
    claims = claims_sorted(frame[frame["distributor_key"] == key])
    _card(store, row, claims, dup_by_key.get(key), show_contacts)
    st.stop()

f1, f2, f3 = st.columns([2, 2, 1])
query = f1.text_input("Search by name", key="dist_query", placeholder="e.g. Debian, RHEL")
kinds = f2.multiselect(
    "Kind of distributor",
    sorted(latest["distributor_kind"].unique()),
    format_func=lambda v: option_label("distributor_kind", v),
    key="dist_kinds",
)
only_dups = f3.toggle("Only duplicates", key="dist_dups")
shown = latest
if query.strip():
    needle = query.strip().casefold()
    shown = shown[
        shown["distributor"].str.casefold().str.contains(needle, regex=False)
        | shown["distributor_key"].str.contains(needle, regex=False)
    ]
if kinds:
    shown = shown[shown["distributor_kind"].isin(kinds)]
if only_dups:
    shown = shown[shown["distributor_key"].isin(dup_by_key)]

if shown.empty:
    st.info("No distributor matches these filters.")
    st.stop()

pages = max(1, -(-len(shown) // PAGE_SIZE))
page = st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1, key="dist_page") if pages > 1 else 1
subset = shown.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
claims_by_key = frame[frame["distributor_key"].isin(subset["distributor_key"])].groupby("distributor_key")
for _, row in subset.iterrows():
    key = str(row["distributor_key"])
    _card(store, row, claims_sorted(claims_by_key.get_group(key)), dup_by_key.get(key), show_contacts)
