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
from analysis.reference_data import option_label
from ui.asof import as_of_control
from ui.auth import require_reviewer
from ui.review_data import (
    UNIT_LABELS,
    counting_frame,
    empty_state,
    store_and_key,
    tags_frame,
    theme_label_map,
    value_formatter,
)

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

pick = st.columns(2)
row: str = pick[0].selectbox(
    "Rows", fields, index=fields.index("distributor_kind"), format_func=short_label, key="ct_row"
)
col: str = pick[1].selectbox(
    "Columns", fields, index=fields.index("sigstore_status"), format_func=short_label, key="ct_col"
)
opts = st.columns([2, 2, 1, 1])
normalize = cast(
    "Normalize",
    opts[0].radio(
        "Show", list(NORMALIZE_LABELS), format_func=NORMALIZE_LABELS.__getitem__, horizontal=True, key="ct_normalize"
    ),
)
unit = cast("Unit", opts[1].radio("Count", list(UNIT_LABELS), format_func=UNIT_LABELS.__getitem__, key="ct_unit"))
margins = opts[2].checkbox("Totals", value=True, key="ct_margins")
view = opts[3].radio("Chart", ["Heatmap", "Stacked bars"], key="ct_view")

with st.expander("Filters", icon=":material/filter_alt:"):
    choices = filter_options(frame)
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
    first = pd.Timestamp(frame["submitted_at"].min()).date()
    last = max(pd.Timestamp(frame["submitted_at"].max()).date(), first)
    d1, d2 = st.columns([2, 1])
    span = d1.date_input("Submitted between", value=(first, last), key="ct_f_dates")
    include_illustrative = d2.checkbox("Include illustrative answers", value=True, key="ct_f_illustrative")

date_from: date | None = span[0] if isinstance(span, tuple) and len(span) > 0 else None
date_to: date | None = span[1] if isinstance(span, tuple) and len(span) > 1 else None
filters = Filters(
    kinds=tuple(kinds),
    versions=tuple(versions),
    statuses=tuple(statuses),
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

figure = (
    charts.crosstab_heatmap(table, theme_labels=themes)
    if view == "Heatmap"
    else charts.crosstab_bars(table, theme_labels=themes)
)
st.plotly_chart(figure, config={"displaylogo": False}, theme=None, key="ct_chart")  # keep projector styling

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
    st.write(f"**{len(members):,}** in “{cell_name}”:")
    st.dataframe(listing, hide_index=True, width="stretch")
    if NO_ANSWER in (row_value, col_value):
        st.caption(f"“{NO_ANSWER}” means the question was left empty (or, for themes, the text is not tagged yet).")
    st.page_link("pages/distributors.py", label="See their answers and history", icon=":material/groups:")
