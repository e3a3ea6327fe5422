"""Streamlit glue shared by the pages: cached resources, access control, small widgets.

Everything here is thin; logic lives in ``analysis``.
"""

from ui._navigation_guard import route_through_app

route_through_app()
