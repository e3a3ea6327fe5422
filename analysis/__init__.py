"""PEP 761 downstream survey: models, storage, analysis and reports, free of any UI framework.

Everything the Streamlit pages show is computed here so that the CLI (`python -m analysis`), the
exported reports and the tests see exactly the same numbers.
"""

__version__ = "0.1.0"
