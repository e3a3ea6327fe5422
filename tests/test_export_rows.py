"""The canonical JSON export from raw rows equals the export through the model, byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from analysis.importer import export_json, parse_responses
from analysis.storage import ResponseStore
from bench.synthetic import generate_responses, generate_revisions
from tests.conftest import make_response


@pytest.mark.parametrize("include_contacts", [True, False])
def test_raw_row_export_equals_the_model_export(store: ResponseStore, include_contacts: bool) -> None:
    responses = generate_responses(400, 60, seed=11)
    store.import_responses(responses)
    store.import_responses(generate_revisions(responses, 0.2, seed=12))
    odd = make_response(
        distributor="Ünïcode “quotes” \\ back\\slash",
        comments='line one\nline two "quoted" </script>',
        contact="x@example.org",
        submitted_at=datetime(2025, 1, 2, 3, 4, 5, 120000, tzinfo=UTC),
        ready_by={},
        python_versions=[],
        blockers=[],
    )
    store.submit(odd)
    reference = export_json([s.response for s in store.latest()], include_contacts=include_contacts)
    fast = store.export_latest_json(include_contacts=include_contacts)
    assert fast == reference
    # Streamed in chunks (the CLI's way): the same text, whatever the chunk size.
    for chunk in (1, 7, 5000):
        assert "".join(store.iter_latest_json(include_contacts=include_contacts, chunk=chunk)) == reference
    items = json.loads(fast)
    assert len(items) == store.stats()["responses"]
    assert ("contact" in items[0]) is include_contacts
    # One answer per line, and it imports back unchanged.
    assert fast.count("\n") == len(items) + 2
    again = parse_responses(fast)
    assert again.ok and len(again.responses) == len(items)


def test_empty_store_exports_an_empty_list(store: ResponseStore) -> None:
    assert store.export_latest_json() == "[]\n" == export_json([]) == "".join(store.iter_latest_json())
