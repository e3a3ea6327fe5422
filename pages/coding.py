"""Free-text coding: reviewers tag blockers, worst cases and comments with codebook themes.

Keyword rules from the codebook only *suggest* themes; a tag is stored only when a reviewer saves
it. Tags live apart from the answers (``theme_tags``) and are a field in the cross-tab explorer.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.coding import (
    coding_progress,
    default_codebook,
    parse_keywords,
    seed_codebook,
    slugify,
    suggest_themes,
    tags_for,
    themes_from_records,
)
from analysis.counting import counted_response_ids
from analysis.crosstab import short_label
from analysis.models import TEXT_FIELDS
from analysis.reference_data import field_label
from ui.auth import current_reviewer, require_reviewer
from ui.people_text import md_escape, show_words
from ui.review_data import answers_frame, empty_state, store_and_key, tags_frame, theme_records

FILTERS = {
    "untagged": "Not tagged yet",
    "suggested": "Not tagged yet, with suggestions",
    "tagged": "Already tagged",
    "all": "All with text",
}


def _add_suggestions(key: str, names: list[str]) -> None:
    """Callback: put suggested themes into the tag picker (the reviewer still has to save)."""
    current = list(st.session_state.get(key, []))
    st.session_state[key] = current + [n for n in names if n not in current]


def counts_where(response_id: str, distributor_key: str) -> str:
    """Where this answer's tags count (the app's words; no respondent text: labels are Markdown)."""
    if response_id in counted_ids:
        return (
            "Counted answer: its tags count in the cross-tab's Themes field, on the overview and in the "
            "report, as this distributor's latest answer."
        )
    newer = frame[(frame["distributor_key"] == distributor_key) & frame["response_id"].isin(counted_ids)]
    when = pd.Timestamp(newer["submitted_at"].iloc[0]).strftime("%Y-%m-%d") if not newer.empty else "a later date"
    return (
        f"Superseded answer: this distributor answered again on {when}, so its tags count only when the "
        "cross-tab counts every response, not in the per-distributor view or the report."
    )


require_reviewer()  # before anything reads answers
store, url, generation = store_and_key()
frame = answers_frame(url, generation)

st.title("Free-text coding")
st.caption(
    "Coding works on the current answers (tags belong to responses, whatever the date); the as-of date in "
    "the sidebar applies to the other review pages."
)
themes = themes_from_records(theme_records(url, generation))
if not themes:
    st.info(
        "The codebook is empty. Start from the default codebook "
        f"({len(default_codebook())} themes with keyword rules from `data/codebook.toml`) and extend it below."
    )
    if st.button("Load the default codebook", type="primary", icon=":material/library_add:"):
        seed_codebook(store)
        st.rerun()
if frame.empty:
    empty_state("free text")
    st.stop()

tags = tags_frame(url, generation)
labels = {t.name: t.label for t in themes}
counted_ids = counted_response_ids(frame)
include_superseded = st.toggle(
    "Include superseded answers",
    key="code_superseded",
    help="By default only each distributor's counted (latest) answer is listed: that is what the charts, "
    "cross-tabs and report count. A superseded answer counts only when counting every response.",
)
listed = frame if include_superseded else frame[frame["response_id"].isin(counted_ids)]
progress = coding_progress(listed, tags)
cols = st.columns(len(progress))
for col, (_, row) in zip(cols, progress.iterrows(), strict=True):
    col.metric(short_label(str(row["field"])), f"{int(row['tagged'])} / {int(row['with_text'])} tagged")

tab_code, tab_book = st.tabs(["Tag answers", "Codebook"])

with tab_code:
    pick = st.columns([2, 2])
    field = pick[0].selectbox("Text field", list(TEXT_FIELDS), format_func=field_label, key="code_field")
    which = pick[1].radio("Show", list(FILTERS), format_func=FILTERS.__getitem__, horizontal=True, key="code_filter")
    has_text = listed[field].fillna("").astype(str).str.strip() != ""
    candidates = listed.loc[has_text, ["response_id", "distributor", "distributor_key", "illustrative", field]]
    tagged_ids = set(tags.loc[tags["field"] == field, "response_id"]) if not tags.empty else set()
    is_tagged = candidates["response_id"].isin(tagged_ids)
    if which == "untagged":
        candidates = candidates[~is_tagged]
    elif which == "tagged":
        candidates = candidates[is_tagged]
    elif which == "suggested":
        candidates = candidates[~is_tagged]
        keep = [bool(suggest_themes(text, themes)) for text in candidates[field]]
        candidates = candidates[keep]
    candidates = candidates.sort_values("distributor", key=lambda s: s.str.casefold(), kind="stable")
    if candidates.empty:
        st.success("Nothing to tag with this selection.")
    else:
        options = list(candidates["response_id"])
        names = dict(zip(candidates["response_id"], candidates["distributor"], strict=True))
        texts = dict(zip(candidates["response_id"], candidates[field], strict=True))
        response_id = st.selectbox(
            f"Answer ({len(options):,})",
            options,
            format_func=lambda r: (
                ("(superseded) " if r not in counted_ids else "") + f"{names[r]} — {str(texts[r])[:70]}"
            ),
            key="code_response",
        )
        text = str(texts[response_id])
        st.markdown(f"**{md_escape(names[response_id])}** · {field_label(field)}")
        where = counts_where(response_id, str(candidates.set_index("response_id").at[response_id, "distributor_key"]))
        if response_id in counted_ids:
            st.caption(where)
        else:
            st.warning(where, icon=":material/history:")
        if bool(candidates.set_index("response_id").at[response_id, "illustrative"]):
            st.caption("Illustrative answer: derived by the survey team from public statements.")
        show_words(text)
        suggestions = suggest_themes(text, themes)
        picker_key = f"tags_{response_id}_{field}"
        if picker_key not in st.session_state:
            st.session_state[picker_key] = tags_for(tags, response_id, field)
        if suggestions:
            st.caption(
                "Suggested (keyword rules, not applied): "
                + "; ".join(f"**{md_escape(s.label)}** ({md_escape(', '.join(s.matched))})" for s in suggestions)
            )
            st.button(
                "Add suggestions to the tags",
                on_click=_add_suggestions,
                args=(picker_key, [s.theme for s in suggestions]),
                icon=":material/auto_fix_high:",
            )
        else:
            st.caption("No keyword rule matches this text.")
        chosen = st.multiselect(
            "Themes", [t.name for t in themes], format_func=lambda name: labels.get(name, name), key=picker_key
        )
        if st.button("Save tags", type="primary", icon=":material/save:", disabled=not themes):
            store.set_tags(response_id, field, chosen, tagged_by=current_reviewer())
            st.toast(f"Saved {len(chosen)} tag(s) for {md_escape(names[response_id])}. {where}")
            st.rerun()

with tab_book:
    counts = tags.groupby("theme").size() if not tags.empty else pd.Series(dtype=int)
    book = pd.DataFrame(
        {
            "Theme": [t.label for t in themes],
            "Id": [t.name for t in themes],
            "Tagged": [int(counts.get(t.name, 0)) for t in themes],
            "Keywords": [", ".join(t.keywords) for t in themes],
            "Description": [t.description for t in themes],
        }
    )
    st.dataframe(book, hide_index=True, width="stretch")
    st.subheader("Add or edit a theme")
    existing = {t.name: t for t in themes}
    edit = st.selectbox(
        "Theme to edit", ["(new theme)", *existing], format_func=lambda n: labels.get(n, n), key="book_edit"
    )
    base = existing.get(edit)
    with st.form("theme_form", clear_on_submit=False):
        label = st.text_input("Label (shown on charts)", value=base.label if base else "")
        description = st.text_area("Description (what belongs here)", value=base.description if base else "")
        keywords = st.text_area(
            "Keywords that suggest it (comma or line separated)", value=", ".join(base.keywords) if base else ""
        )
        saved = st.form_submit_button("Save theme", type="primary")
    if saved:
        name = base.name if base else slugify(label)
        if not name:
            st.error("Give the theme a label.")
        else:
            try:
                store.upsert_theme(name, label, description, parse_keywords(keywords))
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.toast(f"Saved theme “{md_escape(label)}”.")
                st.rerun()
