"""Streamlit entry point: navigation only. Run with ``streamlit run app.py``."""

import streamlit as st

st.set_page_config(page_title="PEP 761 downstream survey", page_icon=":material/verified_user:", layout="wide")

pages = {
    "Survey": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/survey.py", title="Answer the survey", icon=":material/edit_note:", url_path="survey"),
        st.Page("pages/verify.py", title="Verify a release", icon=":material/verified:", url_path="verify"),
    ],
    "Review": [
        st.Page("pages/simulator.py", title="Timeline simulator", icon=":material/timeline:", url_path="simulator"),
        st.Page("pages/reports.py", title="Reports", icon=":material/summarize:", url_path="reports"),
    ],
}
st.navigation(pages).run()
