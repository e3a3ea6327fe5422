"""Links the outreach sends out: the survey page with an invitation token, built from one base URL."""

from __future__ import annotations

import os
from urllib.parse import urlencode, urlsplit

BASE_URL_ENV = "SURVEY_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8501"


def base_url(explicit: str | None = None) -> str:
    """``--base-url``, else ``$SURVEY_BASE_URL``, else the local app; must be an http(s) URL."""
    url = (explicit or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"the base URL must look like https://survey.example.org (got {url[:100]!r})")
    return url


def invitation_link(token: str, base: str) -> str:
    return f"{base}/survey?{urlencode({'invite': token})}"


def survey_link(base: str) -> str:
    return f"{base}/survey"
