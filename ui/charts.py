"""Charts on the review pages: drawn in their own template (projector styling, as the reports
draw them), never re-styled by Streamlit's theme, and without plotly's logo in the mode bar.

Every page chart goes through :func:`show_chart`, so a new chart cannot forget ``theme=None``
(the simulator's charts once did, and looked unlike every other page).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

#: The mode bar's settings: no plotly logo; "download as PNG" at twice the screen's resolution.
CHART_CONFIG: dict[str, Any] = {"displaylogo": False, "toImageButtonOptions": {"scale": 2}}


def show_chart(figure: Any, *, key: str) -> None:
    """One figure across the page's width, in its own template."""
    st.plotly_chart(figure, config=CHART_CONFIG, theme=None, key=key)
