"""A store holding every hostile thing an older version of the app may have let in.

Used by the text-rule, export and browser payload tests. The answers are submitted through the
model (Markdown/HTML/formula payloads are printable text: the model accepts them, the outputs
must neutralise them); then the stored rows are rewritten with SQL, bypassing the model, to hold
what the model now refuses (every C0 control character, DEL, C1, bidi and zero-width characters),
as a store written before the text rule would. PostgreSQL cannot store NUL at all, so there the
control characters start at U+0001.
"""

from __future__ import annotations

from sqlalchemy import text

from analysis.storage import ResponseStore
from analysis.storage.tables import LatestRow, ResponseRow, RevisionRow
from tests.conftest import make_response

BEACON_HOST = "127.0.0.1"


def payloads(beacon: str) -> dict[str, str]:
    """Active content that would fetch ``beacon`` or run script if any output interpreted it."""
    return {
        "markdown_image": f"![x]({beacon}/md-image.png)",
        "html_img": f'<img src="{beacon}/html-img.png" onerror="window.__pwned=1">',
        "script": f"<script>window.__pwned=1;fetch('{beacon}/script')</script>",
        "js_link": "[click me](javascript:window.__pwned=1)",
        "formula": f'=HYPERLINK("{beacon}/formula","click")',
        "svg": f'<svg onload="window.__pwned=1"><image href="{beacon}/svg.png"/></svg>',
        "iframe": f'<iframe src="{beacon}/iframe"></iframe>',
        "latex_link": f"$\\href{{{beacon}/latex}}{{x}}$",
        "directive": f":red[red] :material/warning: ![y]({beacon}/directive.png)",
    }


def control_characters(dialect: str) -> str:
    """Every C0 control character (NUL only where the store can hold it), DEL and two C1."""
    first = 0 if dialect == "sqlite" else 1
    return "".join(chr(c) for c in range(first, 0x20)) + "\x7f\x85\x9b"


INVISIBLE_NAMES = ("Debian\u200b", "Deb\u200dian", "\u202eDebian", "Debian\ufeff")


def seed_hostile(store: ResponseStore, beacon: str = "http://127.0.0.1:9") -> list[str]:
    """Fill ``store`` with the payload answers and the pre-rule rows; returns the response ids."""
    dialect = store.engine.dialect.name
    controls = control_characters(dialect)
    ids: list[str] = []
    items = payloads(beacon)
    for i, (name, payload) in enumerate(items.items()):
        resp = make_response(
            distributor=f"{payload[:150]} {i}" if name != "formula" else payload,
            blockers_text=payload,
            worst_case_text=payload,
            comments=f"{name}: {payload}",
            verification_tooling=payload,
            source=payload,
            respondent_role=payload[:200],
            contact=f"{name}@example.org",
        )
        ids.append(store.submit(resp).response_id)
    ids.append(store.submit(make_response(distributor="Debian")).response_id)  # the real one
    # Pre-rule rows: the model refuses these today, an older app stored them.
    legacy = [
        (INVISIBLE_NAMES[0], f"controls:{controls}:end"),
        (INVISIBLE_NAMES[1], f"bidi \u202eoverride\u202c and \u2066isolate\u2069 {controls}"),
        (INVISIBLE_NAMES[2], f"=cmd|' /C calc'!A0 {controls}"),
        (INVISIBLE_NAMES[3], f"\ufeffBOM and zero\u200bwidth {items['markdown_image']} {controls}"),
        (f"Ctl{controls[:8]}Name", controls),
    ]
    for n, (distributor, words) in enumerate(legacy):
        rid = store.submit(make_response(distributor=f"Legacy {n}", contact=f"legacy{n}@example.org")).response_id
        ids.append(rid)
        with store.engine.begin() as conn:
            for table in (RevisionRow.__tablename__, LatestRow.__tablename__):
                conn.execute(
                    text(f"UPDATE {table} SET distributor = :d WHERE response_id = :r"),  # noqa: S608 - fixed names
                    {"d": distributor, "r": rid},
                )
            conn.execute(
                text(
                    f"UPDATE {RevisionRow.__tablename__} SET comments = :w, blockers_text = :w, "  # noqa: S608
                    "worst_case_text = :w, verification_tooling = :w, source = :w, respondent_role = :s "
                    "WHERE response_id = :r"
                ),
                {"w": words, "s": words[:200], "r": rid},
            )
            # The counting key as the old rule computed it (invisible characters kept).
            conn.execute(
                text(f"UPDATE {ResponseRow.__tablename__} SET distributor_key = :k WHERE id = :r"),  # noqa: S608
                {"k": distributor.casefold(), "r": rid},
            )
            conn.execute(
                text(f"UPDATE {LatestRow.__tablename__} SET distributor_key = :k WHERE response_id = :r"),  # noqa: S608
                {"k": distributor.casefold(), "r": rid},
            )
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE store_meta SET value = value + 1 WHERE key = 'generation'"))
    return ids
