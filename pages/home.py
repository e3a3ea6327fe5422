"""Landing page: what the survey is for, where to read more, how many have answered."""

import streamlit as st

from analysis.reference_data import survey_definition
from ui.schedule_notice import show_schedule_status
from ui.store import get_store

survey = survey_definition()
st.title(survey["title"])
st.markdown(survey["intro"].strip())
st.markdown(
    f"Read [PEP 761]({survey['pep_url']}) and python.org's "
    f"[Sigstore verification instructions]({survey['sigstore_docs_url']}) "
    f"([sigstore-python docs]({survey['sigstore_python_docs_url']}))."
)

stats = get_store().stats()
left, mid, right = st.columns(3)
left.metric("Distributors that answered", stats["distributors"])
mid.metric("Responses", stats["responses"])
right.metric("Last answer", (stats["last_update"] or "—")[:10])
if stats["illustrative"]:
    st.caption(
        f"{stats['illustrative']} of the responses are **illustrative**: transcribed by the survey team from public "
        "statements in the PEP 761 discussion, not submitted by the distributors themselves."
    )

show_schedule_status()
st.page_link("pages/survey.py", label="Answer the survey for your distribution", icon=":material/edit_note:")
st.caption(
    "One response per distributor. After submitting you get a private link to come back and edit your answers; "
    "a half-filled form can be saved as a draft under the same link."
)
