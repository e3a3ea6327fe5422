"""The survey form: answer, save a draft, come back with the private edit link."""

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st
from pydantic import ValidationError

from analysis.models import (
    MAX_TEXT,
    Blocker,
    DistributorKind,
    PrereleaseStart,
    SigstoreStatus,
    WorstCase,
    YesNoUnsure,
    format_validation_error,
)
from analysis.reference_data import field_help, field_label, known_python_versions, option_label, survey_definition
from analysis.storage import TokenNotFound
from analysis.storage.invitations import save_invited_draft, submit_invited
from analysis.survey_form import FORM_FIELDS, NOT_ANSWERED, draft_payload, form_values, response_from_form
from analysis.survey_form import changed_fields as revision_changes
from ui.invited import InvitedSurvey, resolve_invitation
from ui.people_text import show_words
from ui.store import get_store

store = get_store()
survey = survey_definition()


def edit_link(token: str) -> str:
    """Absolute link back to this page with the token, built from the URL the browser used."""
    parts = urlsplit(st.context.url or "")
    path = parts.path if parts.path.rstrip("/").endswith("survey") else parts.path.rstrip("/") + "/survey"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode({"edit": token}), ""))


def show_new_link(token: str, what: str) -> None:
    st.success(f"{what} Keep this private link to come back and edit your answers. It is shown only once.")
    st.code(edit_link(token), language=None)


def labelled(field: str) -> Callable[[object], str]:
    return lambda code: "—" if code is None else option_label(field, str(code))


token = st.query_params.get("edit") or st.session_state.get("edit_token")
# An invitation link (?invite=) is a new response for its distributor until something was saved
# through it; from then on the invitation token is that response's edit token (the edit flow).
invited: InvitedSurvey | None = resolve_invitation(store) if not token else None
if invited is not None and invited.answered:
    token = invited.token
session = None
if token:
    try:
        session = store.open_for_edit(token)
    except TokenNotFound:
        st.title("Edit link not recognised")
        st.error(
            "This edit link is not valid: it may be mistyped or incomplete. No answers are shown. "
            "Check the link you saved, or start a new response."
        )
        if st.button("Start a new response"):
            st.query_params.clear()
            st.session_state.pop("edit_token", None)
            st.rerun()
        st.stop()

st.title("Answer the survey")
st.caption("One response per distributor or downstream project. Fields marked * are required.")

loaded_for = token or (f"invite:{invited.token}" if invited else "new")
if st.session_state.get("_form_loaded_for") != loaded_for:
    initial = form_values(
        session.latest.response if session and session.latest else None,
        session.draft if session else (invited.prefill if invited else None),
    )
    for key, value in initial.items():
        st.session_state[f"f_{key}"] = value
    st.session_state["_form_loaded_for"] = loaded_for

if session and session.latest:
    st.info(
        f"You are editing the answers for **{session.latest.response.distributor}** "
        f"(revision {session.latest.revision}, submitted {session.latest.response.submitted_at:%Y-%m-%d %H:%M} UTC). "
        "Saving keeps the earlier revisions."
    )
if invited is not None and not invited.answered:
    st.info(
        "You opened this survey through a private invitation. The distributor is filled in for you; "
        "check it and answer the questions. The invitation link also becomes your edit link."
    )
    show_words(invited.distributor, label="Invited distributor")
elif invited is not None:
    st.info("You already answered through this invitation: these are your answers, and saving adds a revision.")
if session and session.draft_saved_at:
    st.info(f"Resumed your draft saved {session.draft_saved_at:%Y-%m-%d %H:%M} UTC.")

known = list(survey["known_distributors"])
current_name = st.session_state.get("f_distributor")
if current_name and current_name not in known:
    known.insert(0, current_name)

with st.form("survey", enter_to_submit=False):
    st.subheader("About you")
    c1, c2 = st.columns(2)
    c1.selectbox(
        field_label("distributor") + " *",
        known,
        key="f_distributor",
        accept_new_options=True,
        placeholder="Choose or type a name",
        help=field_help("distributor"),
    )
    c2.selectbox(
        field_label("distributor_kind") + " *",
        [k.value for k in DistributorKind],
        key="f_distributor_kind",
        format_func=labelled("distributor_kind"),
        placeholder="Choose a kind",
        help=field_help("distributor_kind"),
    )
    c1.text_input(
        field_label("respondent_role"), key="f_respondent_role", max_chars=200, help=field_help("respondent_role")
    )
    c2.text_input(field_label("contact"), key="f_contact", max_chars=320, help=field_help("contact"))
    st.multiselect(
        field_label("python_versions"),
        list(known_python_versions()),
        key="f_python_versions",
        help=field_help("python_versions"),
    )

    st.subheader("Fetching new Python releases")
    c1, c2 = st.columns([3, 1])
    c1.radio(
        field_label("prerelease_start") + " *",
        [s.value for s in PrereleaseStart],
        key="f_prerelease_start",
        format_func=labelled("prerelease_start"),
        horizontal=True,
        index=None,
        help=field_help("prerelease_start"),
    )
    c2.number_input(
        field_label("prerelease_lag_days"),
        min_value=0,
        max_value=3650,
        step=1,
        key="f_prerelease_lag_days",
        help=field_help("prerelease_lag_days"),
    )
    c1, c2 = st.columns([1, 2])
    c1.radio(
        field_label("verifies_pgp_today"),
        [NOT_ANSWERED, *(v.value for v in YesNoUnsure)],
        key="f_verifies_pgp_today",
        format_func=lambda code: "— not answered —" if code == NOT_ANSWERED else labelled("verifies_pgp_today")(code),
        horizontal=True,
        help=field_help("verifies_pgp_today"),
    )
    c2.text_input(
        field_label("verification_tooling"),
        key="f_verification_tooling",
        max_chars=MAX_TEXT,
        help=field_help("verification_tooling"),
    )

    st.subheader("Adopting Sigstore")
    st.selectbox(
        field_label("sigstore_status") + " *",
        [s.value for s in SigstoreStatus],
        key="f_sigstore_status",
        format_func=labelled("sigstore_status"),
        placeholder="Choose a status",
        help=field_help("sigstore_status"),
    )
    st.multiselect(
        field_label("blockers"),
        [b.value for b in Blocker],
        key="f_blockers",
        format_func=labelled("blockers"),
        help=field_help("blockers"),
    )
    st.text_area(
        field_label("blockers_text"), key="f_blockers_text", max_chars=MAX_TEXT, help=field_help("blockers_text")
    )
    st.markdown(f"**{field_label('ready_by')}**", help=field_help("ready_by"))
    c1, c2, c3 = st.columns(3)
    c1.date_input("Earliest", key="f_ready_earliest", format="YYYY-MM-DD")
    c2.date_input("Most likely", key="f_ready_likely", format="YYYY-MM-DD")
    c3.date_input("Latest", key="f_ready_latest", format="YYYY-MM-DD")

    st.subheader("If PGP is gone")
    st.multiselect(
        field_label("worst_case"),
        [w.value for w in WorstCase],
        key="f_worst_case",
        format_func=labelled("worst_case"),
        help=field_help("worst_case"),
    )
    st.text_area(
        field_label("worst_case_text"), key="f_worst_case_text", max_chars=MAX_TEXT, help=field_help("worst_case_text")
    )
    st.selectbox(
        field_label("dual_signing_until"),
        [None, *known_python_versions()],
        key="f_dual_signing_until",
        format_func=lambda v: "No need" if v is None else v,
        help=field_help("dual_signing_until"),
    )
    st.text_area(field_label("comments"), key="f_comments", max_chars=MAX_TEXT, help=field_help("comments"))
    with st.expander("Transcribed answer? Say where it comes from"):
        st.text_input(field_label("source"), key="f_source", max_chars=MAX_TEXT, help=field_help("source"))

    b1, b2, _ = st.columns([1, 1, 3])
    submitted = b1.form_submit_button("Submit answers", type="primary")
    drafted = b2.form_submit_button("Save draft")

values = {key: st.session_state.get(f"f_{key}") for key in FORM_FIELDS}

if drafted:
    try:
        if invited is not None and not token:
            result = save_invited_draft(store, invited.token, draft_payload(values))
            st.session_state["edit_token"] = invited.token
            st.session_state["_form_loaded_for"] = invited.token
        else:
            result = store.save_draft(draft_payload(values), token)
    except ValueError as exc:
        st.error(str(exc))
    else:
        if result.token:
            st.session_state["edit_token"] = result.token
            st.session_state["_form_loaded_for"] = result.token
            show_new_link(result.token, "Draft saved.")
        else:
            st.success("Draft saved. Use your private edit link to resume it.")

if submitted:
    keep = session.latest.response if session and session.latest else None
    try:
        response = response_from_form(values, keep=keep)
    except ValidationError as exc:
        st.error(
            "Your answers were not saved yet; please fix these and submit again:\n\n"
            + "\n".join(f"- {line}" for line in format_validation_error(exc))
        )
    else:
        if invited is not None and not token:
            result = submit_invited(store, invited.token, response)
            st.session_state["edit_token"] = token = invited.token
            st.session_state["_form_loaded_for"] = invited.token
        else:
            result = store.submit(response, token)
        if result.token:
            st.session_state["edit_token"] = result.token
            st.session_state["_form_loaded_for"] = result.token
            show_new_link(result.token, f"Thank you: your answers for {response.distributor} are saved.")
        elif invited is not None and result.revision == 1:
            st.success(
                "Thank you: your answers are saved. Your invitation link is also your private edit link: "
                "open it again to edit them."
            )
        elif result.revision == 1:
            st.success(
                f"Thank you: your answers for {response.distributor} are saved. "
                "Your private link stays the same if you want to edit them later."
            )
        else:
            st.success(f"Saved revision {result.revision} of your answers for {response.distributor}.")
        if response.sigstore_status.value == "evaluating":
            st.info(
                "Evaluating Sigstore? Try verifying a real CPython release offline, and attach the result to "
                "your answer as evidence that your path works."
            )
            st.page_link(
                "pages/verify.py",
                label="Verify a CPython release offline",
                icon=":material/verified:",
                query_params={"edit": token or result.token or ""},
            )

if token:
    history = store.history(session.response_id) if session else []
    if history:
        with st.expander(f"Revision history ({len(history)})"):
            previous = None
            for item in history:
                changes: list[str] = revision_changes(previous.response, item.response) if previous else []
                what = ", ".join(field_label(c) for c in changes) if changes else "first submission"
                st.markdown(f"**Revision {item.revision}** · {item.response.submitted_at:%Y-%m-%d %H:%M} UTC · {what}")
                previous = item
