"""One colour per answer code, the same on every chart, page and report.

Ordinal answers (how far along, how early) get sequential colours so "better" reads the same way
everywhere; nominal answers get a qualitative palette with enough contrast for a projector.
Release-cycle colours follow the Python devguide's release-cycle chart.
"""

from __future__ import annotations

from analysis.models import ENUM_FIELDS

# Okabe-Ito + extras: distinguishable for colour-blind viewers and on projectors.
QUALITATIVE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
    "#6A3D9A",
    "#1B9E77",
]

_ORDINAL: dict[str, dict[str, str]] = {
    # red (far from Sigstore) -> green (verifying today)
    "sigstore_status": {
        "not-started": "#C0392B",
        "evaluating": "#E67E22",
        "packaged": "#F1C40F",
        "verifying-in-ci": "#7FB800",
        "in-production": "#1E8449",
    },
    # early (most exposed to a pre-release cut) -> late
    "prerelease_start": {
        "alpha": "#08306B",
        "beta": "#2171B5",
        "rc": "#6BAED6",
        "final": "#9ECAE1",
        "post-final": "#C6DBEF",
    },
    "verifies_pgp_today": {"yes": "#1E8449", "no": "#C0392B", "unsure": "#999999"},
    # most harmful -> harmless
    "worst_case": {
        "ship-unverified": "#B2182B",
        "drop-python": "#7F0000",
        "stop-updating": "#D6604D",
        "pin-last-pgp-release": "#F4A582",
        "delay-upgrades": "#FDDBC7",
        "own-signature-scheme": "#92C5DE",
        "no-impact": "#4393C3",
        "other": "#999999",
    },
}

#: devguide release-cycle chart colours (python/devguide _tools/release_cycle_template.svg.jinja)
RELEASE_STAGE_COLORS = {
    "alpha": "#2222EE",  # feature
    "beta": "#008080",  # prerelease (teal), highlighted in the simulator
    "rc": "#00DD22",
    "final": "#FFDD44",
    "end-of-life": "#DD2200",
    "planned": "#AAAAAA",
}

EXPOSURE_COLORS = {
    "exposed": "#C0392B",
    "not exposed": "#1E8449",
    "unknown": "#999999",
    "ready": "#1E8449",
    "unverified today": "#7D3C98",
}
SEVERITY_COLORS = {"high": "#B2182B", "medium": "#E67E22", "low": "#4393C3", "none": "#1E8449"}


def color_map(field: str, values: list[str] | None = None) -> dict[str, str]:
    """Code -> colour for a field. Enum fields use the enum's order so colours never shift when a
    category is missing from the data; other fields get colours by sorted value."""
    if field in _ORDINAL:
        return dict(_ORDINAL[field])
    codes = [m.value for m in ENUM_FIELDS[field]] if field in ENUM_FIELDS else sorted(set(values or []))
    return {code: QUALITATIVE[i % len(QUALITATIVE)] for i, code in enumerate(codes)}
