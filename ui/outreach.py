"""Streamlit glue for outreach: cached coverage and the Coverage section shown on the overview."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis.outreach.coverage import COVERAGE_HEADERS, Coverage, coverage_table, load_coverage
from analysis.outreach.mail import MailConfigError, SmtpConfig, smtp_config
from analysis.secrets_file import SecretsFileError
from ui.app_secrets import read_secrets
from ui.store import get_store

STATUS_WORDS = {"answered": "Answered", "invited": "Invited, no answer yet", "not-invited": "Never invited"}


@st.cache_data(show_spinner=False, max_entries=8)
def cached_coverage(url: str, generation: int, as_of: date | None) -> Coverage:
    del url, generation
    return load_coverage(get_store(), as_of)


def coverage_frame(cov: Coverage) -> pd.DataFrame:
    """The coverage rows as a table (names are shown as text cells, never as Markdown)."""
    return pd.DataFrame(coverage_table(cov), columns=list(COVERAGE_HEADERS))


def coverage_section(cov: Coverage) -> None:
    """Counts, invited vs self-declared, and who is behind them."""
    data = cov.as_json()
    st.header("Coverage: who has answered?")
    cols = st.columns(5)
    cols[0].metric("On the roster", f"{data['roster']:,}")
    cols[1].metric("Answered", f"{data['answered']:,}")
    cols[2].metric("Invited, no answer yet", f"{data['invited']:,}")
    cols[3].metric("Never invited", f"{data['not_invited']:,}")
    cols[4].metric("Answers from off the roster", f"{data['off_roster']:,}")
    via = [r.answered_via for r in cov.rows if r.status == "answered"]
    st.caption(
        f"Answering distributors: {via.count('invitation')} through an invitation, "
        f"{via.count('self-declared')} self-declared, {via.count('illustrative')} illustrative. "
        "Manage the roster and invitations on the Roster page."
    )
    with st.expander(f"Who is behind these numbers ({len(cov.rows)})"):
        st.dataframe(coverage_frame(cov), hide_index=True, width="stretch")


def app_base_url() -> str:
    """The app's public URL for links sent out: ``$SURVEY_BASE_URL``, else the address the browser used."""
    import os
    from urllib.parse import urlsplit

    from analysis.outreach.links import BASE_URL_ENV, base_url

    if os.environ.get(BASE_URL_ENV):
        return base_url()
    parts = urlsplit(st.context.url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return base_url(f"{parts.scheme}://{parts.netloc}")
    return base_url()


REASON_WORDS = {"invited-no-answer": "Invited, no answer yet", "readiness-date-passed": "Ready date passed"}


def configured_smtp() -> tuple[SmtpConfig | None, str | None]:
    """``[smtp]`` from secrets.toml: (config, None), (None, why it is unusable) or (None, None) when absent."""
    try:
        return smtp_config(read_secrets()), None
    except (MailConfigError, SecretsFileError) as exc:
        return None, str(exc)
