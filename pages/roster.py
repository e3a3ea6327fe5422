"""Roster and invitations: who the council wants to hear from, who answered, private survey links.

Thin: storage in ``analysis.storage.roster`` / ``invitations``, coverage in
``analysis.outreach.coverage``. Contacts and channels are people's data: shown only to a signed-in
reviewer of a configured app (like the distributors page), and roster text is shown as text.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from analysis.models import DistributorKind, RosterEntry, format_validation_error
from analysis.outreach.links import invitation_link, survey_link
from analysis.outreach.reminders import load_reminders, reminders_csv
from analysis.outreach.sending import mail_invitation, send_reminders
from analysis.reference_data import option_label
from analysis.storage.invitations import create_invitation, invitations, revoke_invitations
from analysis.storage.roster import MAX_ROSTER_BYTES, parse_roster_csv, roster_entries, save_roster
from ui.asof import as_of_control
from ui.auth import is_reviewer, require_reviewer, reviewers_configured
from ui.outreach import REASON_WORDS, STATUS_WORDS, app_base_url, cached_coverage, configured_smtp
from ui.people_text import show_words
from ui.review_data import store_and_key

require_reviewer()
store, url, generation = store_and_key()
show_contacts = is_reviewer() and reviewers_configured()
FLASH = "roster_flash"


def _flash(kind: str, text: str, words: str | None = None, link: str | None = None) -> None:
    """A message for the next run (callbacks run before the page, so the table is already current)."""
    st.session_state[FLASH] = (kind, text, words, link)


def _save_entry() -> None:
    try:
        entry = RosterEntry(
            distributor=st.session_state.get("roster_name") or "",
            kind=st.session_state.get("roster_kind"),
            contact=st.session_state.get("roster_contact") if show_contacts else None,
            channel=st.session_state.get("roster_channel"),
        )
    except ValidationError as exc:
        _flash("error", "Not saved: " + "; ".join(format_validation_error(exc)))
        return
    result = save_roster(store, [entry])
    _flash("success", f"Saved ({result.added} added, {result.updated} updated).", entry.distributor)


def _import_csv() -> None:
    upload = st.session_state.get("roster_upload")
    if upload is None:
        _flash("error", "Choose a CSV file first.")
        return
    parsed = parse_roster_csv(upload.getvalue()[: MAX_ROSTER_BYTES + 1])
    if not parsed.ok:
        _flash("error", f"Nothing written: {len(parsed.errors)} problem(s).", "\n".join(parsed.errors[:100]))
        return
    result = save_roster(store, parsed.entries)
    _flash("success", f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged.")


def _invite(revoke: bool) -> None:
    name = (st.session_state.get("invite_name") or "").strip()
    if not name:
        _flash("error", "Type the distributor's name first.")
        return
    if revoke:
        _flash("success", f"Revoked {revoke_invitations(store, name)} unused invitation(s).", name)
        return
    contact = (st.session_state.get("invite_contact") or None) if show_contacts else None
    try:
        new = create_invitation(store, name, contact)
    except ValidationError as exc:
        _flash("error", "No invitation created: " + "; ".join(format_validation_error(exc)))
        return
    except ValueError as exc:
        _flash("error", f"No invitation created: {exc}")
        return
    link = invitation_link(new.token, app_base_url())
    config, _problem = configured_smtp()
    mailed = ""
    if config is not None and new.contact:
        outcome = mail_invitation(store, config, new, app_base_url())
        mailed = " " + " ".join(outcome.lines) + "."
    _flash("success", "Invitation created. Copy the link now: it is shown only once." + mailed, new.distributor, link)


def _send_reminders() -> None:
    config, problem = configured_smtp()
    if config is None:
        _flash("error", f"Not sent: {problem or 'no [smtp] section in secrets.toml'}")
        return
    outcome = send_reminders(store, config, load_reminders(store, st.session_state.get("review_as_of")), app_base_url())
    kind = "success" if outcome.ok else "error"
    _flash(kind, f"{outcome.sent} reminder(s) sent, {outcome.failed} failed.", "\n".join(outcome.lines))


st.title("Roster and invitations")
st.caption(
    "The distributors the Steering Council wants to hear from. Names are normalised like answers, so "
    "“RHEL” and “Red Hat Enterprise Linux” are one entry."
)
flash = st.session_state.pop(FLASH, None)
if flash:
    kind, text, words, link = flash
    (st.success if kind == "success" else st.error)(text)
    if words:
        show_words(words)
    if link:
        st.code(link, language=None)

as_of = as_of_control()
coverage = cached_coverage(url, generation, as_of)
status_by_key = {r.key: r for r in coverage.rows}
records = roster_entries(store)
rows = []
for r in records:
    cov = status_by_key.get(r.key)
    row: dict[str, object] = {
        "Distributor": r.distributor,
        "Kind": option_label("distributor_kind", r.kind) if r.kind else "–",
        "Status": STATUS_WORDS[cov.status] if cov else "–",
        "Last answer": cov.last_answer.isoformat() if cov and cov.last_answer else "–",
        "Invited": cov.invited_at.isoformat() if cov and cov.invited_at else "–",
    }
    if show_contacts:
        row.update({"Contact": r.contact or "", "Channel": r.channel or ""})
    rows.append(row)
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
if not show_contacts:
    st.caption("Contacts and channels are hidden: they are shown only to signed-in reviewers.")

left, right = st.columns(2)
with left, st.form("roster_entry", enter_to_submit=False):
    st.subheader("Add or edit an entry")
    st.text_input("Distributor", key="roster_name", max_chars=200)
    st.selectbox(
        "Kind",
        [None, *(k.value for k in DistributorKind)],
        key="roster_kind",
        format_func=lambda v: "Not known" if v is None else option_label("distributor_kind", str(v)),
    )
    st.text_input("Contact (e-mail)", key="roster_contact", max_chars=320, disabled=not show_contacts)
    st.text_input("Public channel (mailing list, issue tracker URL)", key="roster_channel", max_chars=500)
    st.form_submit_button("Save entry", type="primary", on_click=_save_entry)

with right:
    st.subheader("Import a roster CSV")
    st.caption("Columns `distributor,kind,contact,channel`. Bad rows are listed and nothing is written.")
    st.file_uploader("Roster CSV", type=["csv"], key="roster_upload")
    st.button("Import", key="roster_import", on_click=_import_csv)

st.header("Invitations")
st.caption(
    "An invitation is a private survey link for one distributor, shown once. A new invitation revokes "
    "the previous unused one; answers given through it are marked as invited."
)
with st.form("invite", enter_to_submit=False):
    st.text_input("Distributor to invite", key="invite_name", max_chars=200)
    st.text_input("Send to (e-mail, optional)", key="invite_contact", max_chars=320, disabled=not show_contacts)
    c1, c2, _ = st.columns([1, 1, 3])
    c1.form_submit_button("Create invitation", type="primary", on_click=_invite, args=(False,))
    c2.form_submit_button("Revoke unused", on_click=_invite, args=(True,))

st.header("Reminders")
st.caption(
    "Invited distributors that have not answered, and distributors whose most likely ready date has passed "
    "without reporting Sigstore in production."
)
reminders = load_reminders(store, as_of)
survey_url = survey_link(app_base_url())
if reminders:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Distributor": r.distributor,
                    "Why": REASON_WORDS[r.reason],
                    "Detail": r.detail,
                    "E-mail": r.mailto(survey_url, show_contacts),
                }
                for r in reminders
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"E-mail": st.column_config.LinkColumn("E-mail", display_text="Write the reminder")},
    )
    st.download_button(
        "Download reminders (CSV)",
        reminders_csv(reminders, survey_url, show_contacts),
        file_name="reminders.csv",
        mime="text/csv",
        key="reminders_csv",
    )
    mail_config, mail_problem = configured_smtp()
    if mail_config is not None:
        st.button(
            "E-mail the reminders",
            key="reminders_send",
            disabled=not show_contacts,
            on_click=_send_reminders,
            help="Through the [smtp] server in secrets.toml; invited distributors get a fresh invitation link.",
        )
    elif mail_problem:
        st.warning(f"E-mail is not available: {mail_problem}")
    else:
        st.caption("Add an `[smtp]` section to secrets.toml to send invitations and reminders by e-mail.")
else:
    st.info("Nobody to remind.")

listing = [
    {
        "Distributor": i.distributor,
        "Created": i.created_at.strftime("%Y-%m-%d %H:%M"),
        "State": "answered" if i.used_at else ("revoked" if i.revoked_at else "open"),
        "E-mailed": i.mailed_at.strftime("%Y-%m-%d %H:%M") if i.mailed_at else "–",
    }
    for i in invitations(store)
]
if listing:
    st.dataframe(pd.DataFrame(listing), hide_index=True, width="stretch")
else:
    st.info("No invitations yet.")
