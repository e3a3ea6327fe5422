"""``.streamlit/secrets.toml`` as a plain dict, read one way for every caller.

An absent file means "nothing configured". A file that exists but cannot be read is *not* that:
:func:`read_secrets` raises :class:`analysis.secrets_file.SecretsFileError` (file and line), and the
callers fail closed: the review pages stay shut and say why, and no page silently writes to a
different store than the one configured.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit import config

from analysis.secrets_file import SecretsFileError, load_secrets


def read_secrets() -> dict[str, Any]:
    """The secrets, ``{}`` when no secrets file exists; raises :class:`SecretsFileError` otherwise.

    ``st.secrets`` stays the reader (AppTest and ``st.App`` inject secrets through it). When it
    fails, it does not say whether the file was absent or broken in a way a page can show, so the
    configured files are parsed again with :mod:`tomllib` to name the file and the line.
    """
    try:
        return st.secrets.to_dict()
    except Exception as exc:
        paths = [str(p) for p in config.get_option("secrets.files")]
        _data, found = load_secrets(paths)  # raises SecretsFileError naming the broken file
        if not found and getattr(exc, "error_id", None) == "no-secrets-found":
            return {}
        raise SecretsFileError(", ".join(paths), f"cannot be used ({exc})") from exc
