"""Free-text coding: the default codebook, keyword suggestions, tags joined for cross-tabs."""

from __future__ import annotations

import pandas as pd

from analysis.coding import (
    Theme,
    attach_themes,
    coding_progress,
    default_codebook,
    parse_keywords,
    seed_codebook,
    slugify,
    suggest_themes,
    suggestions_frame,
    tags_for,
    themes_from_records,
)
from analysis.crosstab import crosstab
from analysis.storage import ResponseStore
from tests.conftest import make_response


def test_default_codebook_is_well_formed() -> None:
    themes = default_codebook()
    assert len(themes) >= 8
    names = [t.name for t in themes]
    assert len(names) == len(set(names))
    for theme in themes:
        assert theme.name == slugify(theme.name), theme.name
        assert theme.label and theme.keywords
        assert all(k == k.casefold() for k in theme.keywords)


def test_suggestions_match_words_not_fragments() -> None:
    themes = [Theme("pin", "Pinning", keywords=("pin",)), Theme("offline", "Offline", keywords=("offline", "tuf"))]
    found = suggest_themes("We must verify OFFLINE; the TUF root is pinned by hand. Spin up builders.", themes)
    assert [s.theme for s in found] == ["offline"]
    assert found[0].matched == ("offline", "tuf")
    assert suggest_themes("", themes) == []


def test_suggestions_on_realistic_text() -> None:
    text = "uscan and dpkg-source only know OpenPGP; a Sigstore client (cosign) must be packaged in Debian."
    suggested = {s.theme for s in suggest_themes(text, default_codebook())}
    assert {"tooling-gap", "client-packaging"} <= suggested


def test_seed_codebook_keeps_reviewer_edits(store: ResponseStore) -> None:
    store.upsert_theme("tooling-gap", "Our own label", "", ["uscan"])
    added = seed_codebook(store)
    assert added == len(default_codebook()) - 1
    themes = {t.name: t for t in themes_from_records(store.themes())}
    assert themes["tooling-gap"].label == "Our own label"
    assert seed_codebook(store) == 0


def test_parse_keywords_and_slugify() -> None:
    assert parse_keywords(" Offline, TUF\ntrust root;; offline ") == ["offline", "tuf", "trust root"]
    assert slugify("Offline / TUF root!") == "offline-tuf-root"


def test_suggestions_frame_and_tags(store: ResponseStore) -> None:
    store.import_responses(
        [
            make_response(distributor="Debian", blockers_text="uscan lacks support", comments="docs please"),
            make_response(distributor="Gentoo", blockers_text="", worst_case_text="we would pin 3.13"),
        ]
    )
    seed_codebook(store)
    frame = store.latest_frame()
    themes = themes_from_records(store.themes())
    sugg = suggestions_frame(frame, themes)
    debian = frame.loc[frame["distributor"] == "Debian", "response_id"].item()
    gentoo = frame.loc[frame["distributor"] == "Gentoo", "response_id"].item()
    assert {(r.field, r.theme) for r in sugg.itertuples() if r.response_id == debian} >= {
        ("blockers_text", "tooling-gap"),
        ("comments", "documentation-needed"),
    }
    # Suggestions are not tags: nothing was written.
    assert store.tags_frame().empty

    store.set_tags(debian, "blockers_text", ["tooling-gap"], tagged_by="reviewer")
    store.set_tags(gentoo, "worst_case_text", ["stuck-on-old-release"])
    tags = store.tags_frame()
    assert tags_for(tags, debian, "blockers_text") == ["tooling-gap"]
    joined = attach_themes(frame, tags)
    assert joined.set_index("response_id").loc[gentoo, "themes"] == ["stuck-on-old-release"]
    assert joined.set_index("response_id").loc[debian, "themes_comments"] == []
    table = crosstab(frame, "themes", "distributor", tags=tags)
    assert table.loc["tooling-gap", "Debian"] == 1 and table.loc["stuck-on-old-release", "Gentoo"] == 1

    progress = coding_progress(frame, tags).set_index("field")
    assert progress.loc["blockers_text"].tolist() == [1, 1]
    assert progress.loc["worst_case_text"].tolist() == [1, 1]
    assert progress.loc["comments"].tolist() == [1, 0]


def test_attach_themes_empty() -> None:
    empty = pd.DataFrame(columns=["response_id", "blockers_text", "worst_case_text", "comments"])
    assert list(attach_themes(empty, None)["themes"]) == []
