"""The survey page's side of invitations: read ``?invite=`` and say what the link leads to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from analysis.storage import ResponseStore
from analysis.storage.invitations import InvitationNotFound, open_invitation


@dataclass(frozen=True)
class InvitedSurvey:
    token: str
    distributor: str
    #: Something was saved through the link already: the page opens that response's edit flow.
    answered: bool
    prefill: dict[str, Any]


def resolve_invitation(store: ResponseStore) -> InvitedSurvey | None:
    """The invitation in the URL, or None; an unknown or revoked one stops the page with a message."""
    token = st.query_params.get("invite")
    if not token:
        return None
    try:
        opened = open_invitation(store, token)
    except InvitationNotFound:
        st.title("Invitation link not recognised")
        st.error(
            "This invitation link is not valid: it may be mistyped, incomplete, or replaced by a newer "
            "invitation. No answers are shown. Ask the survey team for a new link, or answer without one."
        )
        if st.button("Answer without an invitation"):
            st.query_params.clear()
            st.rerun()
        st.stop()
        raise  # unreachable: st.stop() ends the script run
    prefill: dict[str, Any] = {"distributor": opened.distributor}
    if opened.kind:
        prefill["distributor_kind"] = opened.kind
    return InvitedSurvey(
        token=token, distributor=opened.distributor, answered=opened.response_id is not None, prefill=prefill
    )
