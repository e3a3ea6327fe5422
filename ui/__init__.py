"""Streamlit glue shared by the pages: cached resources, access control, small widgets.

Everything here is thin; logic lives in ``analysis``.
"""
