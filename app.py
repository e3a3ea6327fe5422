"""Streamlit entry point: navigation only. Run with ``streamlit run app.py``."""

from pathlib import Path

import streamlit as st

from ui.incidents import run_page

# A local image, served by the app itself: a ":material/…:" page icon makes every browser fetch the
# favicon from fonts.gstatic.com, and no request may leave the app.
FAVICON = Path(__file__).resolve().parent / "ui" / "static" / "favicon.png"

st.set_page_config(page_title="PEP 761 downstream survey", page_icon=str(FAVICON), layout="wide")

pages = {
    "Survey": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/survey.py", title="Answer the survey", icon=":material/edit_note:", url_path="survey"),
        st.Page("pages/verify.py", title="Verify a release", icon=":material/verified:", url_path="verify"),
    ],
    "Review": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview"),
        st.Page("pages/crosstab.py", title="Cross-tab explorer", icon=":material/table_chart:", url_path="crosstab"),
        st.Page("pages/distributors.py", title="Distributors", icon=":material/groups:", url_path="distributors"),
        st.Page("pages/coding.py", title="Free-text coding", icon=":material/label:", url_path="coding"),
        st.Page("pages/simulator.py", title="Timeline simulator", icon=":material/timeline:", url_path="simulator"),
        st.Page("pages/roster.py", title="Roster and invitations", icon=":material/contact_mail:", url_path="roster"),
        st.Page("pages/reports.py", title="Reports", icon=":material/summarize:", url_path="reports"),
    ],
}
# Every page runs inside run_page: an unexpected error shows an incident id, never a traceback.
run_page(st.navigation(pages))
