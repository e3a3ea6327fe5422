"""Links that open one distributor's card on the Distributors page (``/distributors?distributor=KEY``).

The cross-tab's "see their answers" used to open the whole list; a link now carries the
distributor's counting key (the normalised name) in the URL, so it can also be shared or
bookmarked. The Distributors page reads it back here and ignores, with a note, a key it does not
know (a stale or hand-edited link never raises).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ui.people_text import md_escape

DISTRIBUTOR_PARAM = "distributor"
#: Longer than any normalised name can be (names are at most 200 characters).
_MAX_KEY = 400


@dataclass(frozen=True)
class LinkedDistributor:
    key: str | None
    note: str = ""


def one_distributor_from_url(latest: pd.DataFrame) -> LinkedDistributor:
    """The distributor the URL names, if it is one of ``latest``'s keys."""
    raw = st.query_params.get(DISTRIBUTOR_PARAM)
    if raw is None or raw == "":
        return LinkedDistributor(None)
    known = set(latest["distributor_key"])
    if len(raw) <= _MAX_KEY and raw in known:
        return LinkedDistributor(raw)
    return LinkedDistributor(
        None, "The link names a distributor that has no answer here (it may have been renamed): showing all."
    )


def distributor_page_link(key: str, name: str) -> None:
    """A link to one distributor's card (the label is the respondent's text, shown literally)."""
    st.page_link(
        "pages/distributors.py",
        label=f"{md_escape(name)}: answers and history",
        icon=":material/person_search:",
        query_params={DISTRIBUTOR_PARAM: key},
    )
