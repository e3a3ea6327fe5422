"""No page puts people's words into Markdown unescaped (a static check of pages/ and ui/).

Streamlit renders Markdown in ``st.markdown``/``st.write``/``st.caption``/alerts/toasts/headings
and in widget and expander labels. Any f-string passed to one of them whose interpolated
expression looks like respondents' (or reviewers') data must wrap it in ``md_escape`` (or show it
with ``show_words``). The AppTest and browser payload tests check the rendered pages; this check
names the line when a new page forgets.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

MARKDOWN_CALLS = {
    "markdown", "write", "caption", "info", "success", "warning", "error", "toast",
    "title", "header", "subheader", "expander", "selectbox", "multiselect", "radio",
    "text_input", "text_area", "checkbox", "toggle", "button", "metric", "tabs",
}  # fmt: skip
#: What respondents (or reviewers) typed, as the pages name it.
PEOPLE_DATA = re.compile(
    r"distributor\b|\['distributor'\]|\.source\b|\['source'\]|comments|_text\b|names\[|texts\[|\blabel\b(?!\()"
    r"|\.label\b|explanation|contact|respondent_role|email|\btext\b|cell_name|\bwho\b"
)
SAFE_WRAPPERS = {"md_escape", "markdown_literal", "field_label", "short_label", "option_label", "len", "int"}
#: Matches of the pattern that are not people's words, each with the reason.
NOT_PEOPLE_TEXT = {
    ("pages/verify.py", "signer.source"),  # data/sigstore_identities.csv, the app's reference data
    ("pages/verify.py", "result.explanation"),  # the app's own explanation of a failure class
    ("ui/people_text.py", "label"),  # show_words' label is the app's wording by contract
    ("ui/auth.py", "email"),  # the signed-in reviewer's own address from the identity provider
    ("ui/auth.py", "_oidc_email()"),  # the same
    ("ui/auth.py", "who"),  # the app's own wording of which budget ran out
    ("pages/verify.py", "label"),  # "Digest checked" / "Digest the bundle signed": fixed labels
}


def _unsafe_values(call: ast.Call) -> list[ast.expr]:
    found: list[ast.expr] = []
    for arg in [*call.args, *(k.value for k in call.keywords if k.arg in (None, "label", "body"))]:
        for node in ast.walk(arg):
            if not isinstance(node, ast.FormattedValue):
                continue
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in SAFE_WRAPPERS:
                continue
            if PEOPLE_DATA.search(ast.unparse(value)):
                found.append(value)
    return found


def test_no_page_interpolates_people_text_into_markdown() -> None:
    problems = []
    for path in sorted([*ROOT.joinpath("pages").glob("*.py"), *ROOT.joinpath("ui").glob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MARKDOWN_CALLS:
                for value in _unsafe_values(node):
                    rel = str(Path(path).relative_to(ROOT))
                    if (rel, ast.unparse(value)) not in NOT_PEOPLE_TEXT:
                        problems.append(f"{rel}:{value.lineno}: {ast.unparse(value)}")
    assert problems == []


def test_the_check_catches_an_unescaped_name() -> None:
    call = ast.parse("st.markdown(f\"### {latest['distributor']}\")").body[0].value  # type: ignore[attr-defined]
    assert [ast.unparse(v) for v in _unsafe_values(call)] == ["latest['distributor']"]
    safe = ast.parse("st.markdown(f\"### {md_escape(latest['distributor'])}\")").body[0].value  # type: ignore[attr-defined]
    assert _unsafe_values(safe) == []
