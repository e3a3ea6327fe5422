"""Cross-tab explorer: any answer field by any other, with filters, percentages and click-through.

Thin: the table is ``analysis.crosstab.crosstab`` (the same as ``python -m analysis crosstab``),
the charts are ``analysis.charts``. The CSV download is byte-for-byte the CLI's CSV.
"""

from __future__ import annotations

from datetime import date
from typing import cast

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.crosstab import (
    NO_ANSWER,
    THEME_FIELDS,
    TOTAL,
    Filters,
    Normalize,
    Unit,
    apply_filters,
    cell_members,
    crosstab,
    field_choices,
    filter_options,
    label_for_value,
    short_label,
    table_to_csv,
    with_labels,
)
from analysis.crosstab_select import selectable_bars, selectable_heatmap, selected_cells
from analysis.crosstab_view import Chart, Choices, CrosstabView, view_from_query, view_to_query
from analysis.reference_data import option_label
from ui.asof import as_of_control
from ui.auth import require_reviewer
from ui.distributor_link import distributor_page_link
from ui.people_text import md_escape
from ui.review_data import (
    UNIT_LABELS,
    counting_frame,
    empty_state,
    store_and_key,
    tags_frame,
    theme_label_map,
    value_formatter,
)
from ui.view_in_url import first_visit, query, seed_widgets, write_query

CHART_LABELS: dict[str, str] = {"heatmap": "Heatmap", "bars": "Stacked bars"}
#: Links to distributor cards listed under a cell (the table above lists everyone).
MAX_LINKS = 12
NORMALIZE_LABELS: dict[str, str] = {
    "none": "Counts",
    "row": "% of row",
    "col": "% of column",
    "all": "% of total",
}

require_reviewer()  # before anything reads answers
store, url, generation = store_and_key()

st.title("Cross-tab explorer")
as_of = as_of_control()
frame = counting_frame(url, generation, as_of)
if frame.empty:
    empty_state("cross-tab")
    st.stop()

themes = theme_label_map(url, generation)
fields = field_choices(include_themes=bool(themes))
choices = filter_options(frame)
first = pd.Timestamp(frame["submitted_at"].min()).date()
last = max(pd.Timestamp(frame["submitted_at"].max()).date(), first)

if first_visit("ct_row"):
    # A link (or bookmark) sets the view once per page visit; afterwards the widgets own it.
    parsed = view_from_query(query(), Choices(fields, choices["kinds"], choices["versions"], choices["statuses"]))
    st.session_state["_ct_url_note"] = parsed.note()
    v = parsed.view
    # A link that filters opens the filters, so the reader sees why the counts are smaller.
    st.session_state["_ct_filters_open"] = v.filters() != CrosstabView().filters()
    seed_widgets(
        {
            "ct_row": v.row,
            "ct_col": v.col,
            "ct_normalize": v.normalize,
            "ct_unit": v.unit,
            "ct_margins": v.margins,
            "ct_view": v.chart,
            "ct_f_kinds": list(v.kinds),
            "ct_f_versions": list(v.versions),
            "ct_f_status": list(v.statuses),
            "ct_f_dates": (v.date_from or first, v.date_to or last),
            "ct_f_illustrative": v.include_illustrative,
        }
    )
if st.session_state.get("_ct_url_note"):
    st.warning(st.session_state["_ct_url_note"], icon=":material/link_off:")

pick = st.columns(2)
row: str = pick[0].selectbox("Rows", fields, format_func=short_label, key="ct_row")
col: str = pick[1].selectbox("Columns", fields, format_func=short_label, key="ct_col")
opts = st.columns([2, 2, 1, 1])
normalize = cast(
    "Normalize",
    opts[0].radio(
        "Show", list(NORMALIZE_LABELS), format_func=NORMALIZE_LABELS.__getitem__, horizontal=True, key="ct_normalize"
    ),
)
unit = cast("Unit", opts[1].radio("Count", list(UNIT_LABELS), format_func=UNIT_LABELS.__getitem__, key="ct_unit"))
margins = opts[2].checkbox("Totals", key="ct_margins")
chart = cast("Chart", opts[3].radio("Chart", list(CHART_LABELS), format_func=CHART_LABELS.__getitem__, key="ct_view"))

with st.expander("Filters", icon=":material/filter_alt:", expanded=st.session_state.get("_ct_filters_open", False)):
    f1, f2, f3 = st.columns(3)
    kinds = f1.multiselect(
        "Kind of distributor",
        choices["kinds"],
        format_func=lambda v: option_label("distributor_kind", v),
        key="ct_f_kinds",
    )
    versions = f2.multiselect("Ships Python version", choices["versions"], key="ct_f_versions")
    statuses = f3.multiselect(
        "Sigstore status",
        choices["statuses"],
        format_func=lambda v: option_label("sigstore_status", v),
        key="ct_f_status",
    )
    d1, d2 = st.columns([2, 1])
    span = d1.date_input("Submitted between", key="ct_f_dates")
    include_illustrative = d2.checkbox("Include illustrative answers", key="ct_f_illustrative")

date_from: date | None = span[0] if isinstance(span, tuple) and len(span) > 0 else None
date_to: date | None = span[1] if isinstance(span, tuple) and len(span) > 1 else None
view = CrosstabView(
    row=row,
    col=col,
    normalize=normalize,
    unit=unit,
    margins=margins,
    chart=chart,
    kinds=tuple(kinds),
    versions=tuple(versions),
    statuses=tuple(statuses),
    # The full span of the data is "no date filter": the link stays valid as new answers arrive.
    date_from=date_from if date_from and date_from != first else None,
    date_to=date_to if date_to and date_to != last else None,
    include_illustrative=include_illustrative,
)
write_query(view_to_query(view))
filters = Filters(
    kinds=view.kinds,
    versions=view.versions,
    statuses=view.statuses,
    date_from=date_from,
    date_to=date_to,
    include_illustrative=include_illustrative,
)
filtered = apply_filters(frame, filters)
tags = tags_frame(url, generation) if {row, col} & set(THEME_FIELDS) else None
table = crosstab(filtered, row, col, normalize=normalize, margins=margins, unit=unit, tags=tags)
shown = with_labels(table, themes)

n_units = len(filtered) if unit == "response" else filtered["distributor_key"].nunique()
st.caption(
    f"{n_units:,} {'responses' if unit == 'response' else 'distributors'} after filters. "
    "A multi-select answer counts once per selected value; totals and percentages are of "
    f"{'responses' if unit == 'response' else 'distributors'}, so a multi-select can add up to more than 100 %."
)
if normalize == "none":
    st.dataframe(shown, width="stretch")
else:
    st.dataframe(shown.style.format("{:.1f} %"), width="stretch")

if chart == "heatmap":
    figure = selectable_heatmap(charts.crosstab_heatmap(table, theme_labels=themes), table)
else:
    figure = selectable_bars(charts.crosstab_bars(table, theme_labels=themes), table)
event = st.plotly_chart(
    figure,
    config={"displaylogo": False},
    theme=None,  # keep projector styling
    key="ct_chart",
    on_select="rerun",
    selection_mode="points",
)
clicked = selected_cells(event.selection.points, table) if event else []
if clicked and clicked != st.session_state.get("_ct_clicked"):
    # A click on a cell or bar picks "who is behind a cell" below (set before those widgets exist).
    st.session_state["_ct_clicked"] = clicked
    st.session_state["ct_cell_row"], st.session_state["ct_cell_col"] = clicked[0]
st.caption("Click a cell of the heatmap or a bar to list who is behind it.")

download, cli = st.columns([1, 3])
download.download_button(
    "Download table (CSV)",
    table_to_csv(table),
    file_name=f"crosstab_{row}_by_{col}.csv",
    mime="text/csv",
    icon=":material/download:",
)
flags = (
    f" --normalize {normalize}" * (normalize != "none")
    + " --margins" * margins
    + f" --unit {unit}" * (unit != "distributor")
)
cli.caption("Same table on the command line (without filters):")
cli.code(f"python -m analysis crosstab {row} {col}{flags} --format csv", language="bash")

st.subheader("Who is behind a cell?")
row_values = [*[v for v in table.index if v != TOTAL], TOTAL]
col_values = [*[v for v in table.columns if v != TOTAL], TOTAL]
pick_cell = st.columns(2)
row_value = pick_cell[0].selectbox(
    short_label(row), row_values, format_func=value_formatter(row, themes), key="ct_cell_row"
)
col_value = pick_cell[1].selectbox(
    short_label(col), col_values, format_func=value_formatter(col, themes), key="ct_cell_col"
)
members = cell_members(filtered, row, row_value, col, col_value, unit=unit, tags=tags)
if members.empty:
    st.write("Nobody in this cell.")
else:
    listing = pd.DataFrame(
        {
            "Distributor": members["distributor"],
            "Kind": [label_for_value("distributor_kind", k) for k in members["distributor_kind"]],
            "Submitted": pd.to_datetime(members["submitted_at"]).dt.strftime("%Y-%m-%d"),
            "Response": members["response_id"].str[:8],
        }
    )
    cell_name = f"{value_formatter(row, themes)(row_value)} × {value_formatter(col, themes)(col_value)}"
    st.markdown(f"**{len(members):,}** in “{md_escape(cell_name)}”:")
    st.dataframe(listing, hide_index=True, width="stretch")
    if NO_ANSWER in (row_value, col_value):
        st.caption(f"“{NO_ANSWER}” means the question was left empty (or, for themes, the text is not tagged yet).")
    keys = filtered.set_index("response_id")["distributor_key"]
    people = members.assign(distributor_key=members["response_id"].map(keys)).drop_duplicates("distributor_key")
    st.markdown("**See their answers and history:**")
    for _, member in people.head(MAX_LINKS).iterrows():
        distributor_page_link(str(member["distributor_key"]), str(member["distributor"]))
    if len(people) > MAX_LINKS:
        st.caption(f"… and {len(people) - MAX_LINKS:,} more: narrow the cell with the filters to link each of them.")
