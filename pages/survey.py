"""The survey form: answer, save a draft, come back with the private edit link."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
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
)
from analysis.reference_data import field_help, field_label, known_python_versions, option_label, survey_definition
from analysis.storage import TokenNotFound
from analysis.storage.invitations import save_invited_draft, submit_invited
from analysis.survey_form import (
    FORM_FIELDS,
    NOT_ANSWERED,
    Change,
    Problem,
    describe_changes,
    draft_payload,
    dual_signing_choices,
    dual_signing_words,
    form_problems,
    form_values,
    response_from_form,
)
from ui.invited import InvitedSurvey, resolve_invitation
from ui.people_text import md_escape, show_words
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


def long_help(field: str) -> str:
    """Help for a long text box: no ``max_chars`` (the browser would drop a longer paste whole), so
    the limit is said here and checked on submit, where the text stays in the box."""
    return f"{field_help(field)} Up to {MAX_TEXT:,} characters."


def mark(field: str, where: Any = st) -> None:
    """Under a field that failed validation: its problem, in a container the page scrolls to."""
    for problem in problems_by_field.get(field, []):
        with where.container(key=f"problem_{field}"):
            st.error(problem.message, icon=":material/error:")


def scroll_to_first_problem(problems: list[Problem], nonce: int) -> None:
    """Bring the first marked field into view (our own constant script; field keys are ours)."""
    first = next((p.field for p in problems if p.field in FORM_FIELDS), None)
    if first is None:
        return
    st.html(
        f"""<script>/* {nonce} */
(function () {{
  let tries = 0;
  const go = () => {{
    const el = document.querySelector(".st-key-problem_{first}");
    if (el) {{ el.scrollIntoView({{block: "center"}}); return; }}
    if (tries++ < 50) setTimeout(go, 100);
  }};
  go();
}})();</script>""",
        unsafe_allow_javascript=True,
    )


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

problems: list[Problem] = st.session_state.get("_survey_problems", [])
problems_by_field: dict[str, list[Problem]] = {}
for p in problems:
    problems_by_field.setdefault(p.field, []).append(p)

if session and session.latest:
    st.info(
        f"You are editing the answers for **{md_escape(session.latest.response.distributor)}** "
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
    st.info(
        f"Your draft saved {session.draft_saved_at:%Y-%m-%d %H:%M} UTC is loaded. It is not counted until you submit."
    )

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
    mark("distributor", c1)
    c2.selectbox(
        field_label("distributor_kind") + " *",
        [k.value for k in DistributorKind],
        key="f_distributor_kind",
        format_func=labelled("distributor_kind"),
        placeholder="Choose a kind",
        help=field_help("distributor_kind"),
    )
    mark("distributor_kind", c2)
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
    mark("prerelease_start", c1)
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
        field_label("verification_tooling"), key="f_verification_tooling", help=long_help("verification_tooling")
    )
    mark("verification_tooling", c2)

    st.subheader("Adopting Sigstore")
    st.selectbox(
        field_label("sigstore_status") + " *",
        [s.value for s in SigstoreStatus],
        key="f_sigstore_status",
        format_func=labelled("sigstore_status"),
        placeholder="Choose a status",
        help=field_help("sigstore_status"),
    )
    mark("sigstore_status")
    st.multiselect(
        field_label("blockers"),
        [b.value for b in Blocker],
        key="f_blockers",
        format_func=labelled("blockers"),
        help=field_help("blockers"),
    )
    st.text_area(field_label("blockers_text"), key="f_blockers_text", help=long_help("blockers_text"))
    mark("blockers_text")
    st.markdown(f"**{field_label('ready_by')}**", help=field_help("ready_by"))
    points = survey["fields"]["ready_by"]["points"]
    for column, point in zip(st.columns(3), ("earliest", "likely", "latest"), strict=True):
        column.date_input(points[point], key=f"f_ready_{point}", format="YYYY-MM-DD")
        mark(f"ready_{point}", column)

    st.subheader("If PGP is gone")
    st.multiselect(
        field_label("worst_case"),
        [w.value for w in WorstCase],
        key="f_worst_case",
        format_func=labelled("worst_case"),
        help=field_help("worst_case"),
    )
    st.text_area(field_label("worst_case_text"), key="f_worst_case_text", help=long_help("worst_case_text"))
    mark("worst_case_text")
    st.selectbox(
        field_label("dual_signing_until"),
        # An older stored answer (a line before 3.14, from an import) stays selectable: never lost.
        list(dict.fromkeys([*dual_signing_choices(), st.session_state.get("f_dual_signing_until") or ""])),
        key="f_dual_signing_until",
        format_func=dual_signing_words,
        help=field_help("dual_signing_until"),
    )
    st.text_area(field_label("comments"), key="f_comments", help=long_help("comments"))
    mark("comments")
    with st.expander("Transcribed answer? Say where it comes from", expanded="source" in problems_by_field):
        st.text_input(field_label("source"), key="f_source", help=long_help("source"))
        mark("source")

    b1, b2, _ = st.columns([1, 1, 3])
    submitted = b1.form_submit_button("Submit answers", type="primary")
    drafted = b2.form_submit_button("Save draft")

values = {key: st.session_state.get(f"f_{key}") for key in FORM_FIELDS}


def after_save(flash: dict[str, Any]) -> None:
    """Rerun after a save so the banners above the form say what is stored now; the outcome
    is shown once, below the form, where the respondent clicked."""
    st.session_state["_survey_flash"] = flash
    st.session_state.pop("_survey_problems", None)
    st.rerun()


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
            after_save({"text": "Draft saved.", "link": result.token})
        else:
            after_save({"text": "Draft saved. Use your private edit link to resume it."})

if submitted:
    keep = session.latest.response if session and session.latest else None
    try:
        response = response_from_form(values, keep=keep)
    except ValidationError as exc:
        st.session_state["_survey_problems"] = form_problems(exc, values)
        st.session_state["_survey_attempt"] = st.session_state.get("_survey_attempt", 0) + 1
        st.session_state.pop("_survey_flash", None)
        st.rerun()
    else:
        if invited is not None and not token:
            result = submit_invited(store, invited.token, response)
            st.session_state["edit_token"] = token = invited.token
            st.session_state["_form_loaded_for"] = invited.token
        else:
            result = store.submit(response, token)
        flash: dict[str, Any] = {"evaluating": response.sigstore_status.value == "evaluating"}
        if result.token:
            st.session_state["edit_token"] = result.token
            st.session_state["_form_loaded_for"] = result.token
            flash |= {
                "text": f"Thank you: your answers for {md_escape(response.distributor)} are saved.",
                "link": result.token,
            }
        elif result.unchanged:
            flash |= {
                "kind": "info",
                "text": f"Nothing changed since revision {result.revision}: your answers are the same, "
                "so no new revision was saved.",
            }
        elif invited is not None and result.revision == 1:
            flash["text"] = (
                "Thank you: your answers are saved. Your invitation link is also your private edit link: "
                "open it again to edit them."
            )
        elif result.revision == 1:
            flash["text"] = (
                f"Thank you: your answers for {md_escape(response.distributor)} are saved. "
                "Your private link stays the same if you want to edit them later."
            )
        else:
            flash["text"] = f"Saved revision {result.revision} of your answers for {md_escape(response.distributor)}."
        after_save(flash)

if problems:
    st.error(
        "Your answers were not saved yet; please fix these and submit again:\n\n"
        + "\n".join(f"- {p.message}" for p in problems)
    )
    scroll_to_first_problem(problems, st.session_state.get("_survey_attempt", 0))

flash_shown = st.session_state.pop("_survey_flash", None)
if flash_shown:
    if flash_shown.get("kind") == "info":
        st.info(flash_shown["text"], icon=":material/info:")
    elif flash_shown.get("link"):
        show_new_link(flash_shown["link"], flash_shown["text"])
    else:
        st.success(flash_shown["text"])
    if flash_shown.get("evaluating"):
        st.info(
            "Evaluating Sigstore? Try verifying a real CPython release offline, and attach the result to "
            "your answer as evidence that your path works."
        )
        st.page_link(
            "pages/verify.py",
            label="Verify a CPython release offline",
            icon=":material/verified:",
            query_params={"edit": token or ""},
        )

if token and session:
    history = store.history(session.response_id)
    if history:
        with st.expander(f"Revision history ({len(history)})"):
            for position in reversed(range(len(history))):  # newest first: what was just saved
                item, before = history[position], history[position - 1] if position else None
                when = f"{item.response.submitted_at:%Y-%m-%d %H:%M} UTC"
                changes: list[Change] = describe_changes(before.response, item.response) if before else []
                what = "first submission" if before is None else f"{len(changes)} answer(s) changed"
                st.markdown(f"**Revision {item.revision}** · {when} · {what}")
                if changes:
                    # A table, not Markdown: the values are the respondent's own words.
                    st.dataframe(
                        pd.DataFrame(
                            {
                                "Answer": [c.label for c in changes],
                                "Before": [c.before for c in changes],
                                "After": [c.after for c in changes],
                            }
                        ),
                        hide_index=True,
                        width="stretch",
                    )
