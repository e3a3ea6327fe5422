"""AppTest of pages/verify.py: paste a digest, upload an artifact, failures, attach as evidence."""

from __future__ import annotations

import json
import re
from typing import Any

from streamlit.testing.v1 import AppTest

from analysis.storage import ResponseStore
from tests.conftest import ROOT, make_response
from tests.test_verif_helpers import FIXTURES

D313 = "12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4"
D314 = "88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851"


def open_page(token: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if token:
        at.query_params["edit"] = token
    at.run()
    at.switch_page("pages/verify.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, key: str, name: str, data: bytes | None = None) -> None:
    content = data if data is not None else (FIXTURES / name).read_bytes()
    at.get("file_uploader")  # refresh
    widget = next(w for w in at.get("file_uploader") if w.key == key)
    widget.set_value((name, content, "application/octet-stream"))
    at.run()
    assert not at.exception


def shown(markdown: str) -> str:
    """What a person reads from a Markdown body (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def in_order(at: AppTest) -> list[tuple[str, str]]:
    """(element type, value) of the main area in page order: what a person reads top to bottom."""
    out: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        kind = getattr(node, "type", None)
        if kind not in (None, "block", "main", "flex_container", "column", "expander"):
            out.append((str(kind), str(getattr(node, "value", ""))))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return out


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_expected_signer_is_shown_before_verifying_and_inferred_from_the_bundle_name() -> None:
    at = open_page()
    assert at.title[0].value.startswith("Verify a CPython release")
    assert at.button(key="verify_go").disabled
    upload(at, "verify_bundle", "Python-3.14.0.tgz.sigstore")
    assert at.selectbox[0].value == "3.14"
    shown = texts(at)
    assert "hugo@python.org" in shown and "GitHub" in shown and "https://github.com/login/oauth" in shown
    assert "Source: data/sigstore_identities.csv" in shown
    assert not at.success and not at.error  # nothing verified yet


def test_paste_digest_verifies_and_shows_evidence_and_commands() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(f"sha256:{D313}").run()
    at.button(key="verify_go").click().run()
    assert not at.exception
    assert len(at.success) == 1 and at.success[0].value.startswith("Verified:")
    table = at.table[0].value
    assert "thomas@python.org" in table.to_string() and "137592587" in table.to_string()
    codes = [c.value for c in at.code]
    assert any(c.startswith("python -m sigstore verify identity --offline") for c in codes)
    assert any(c.startswith("cosign verify-blob --bundle Python-3.13.0.tgz.sigstore") for c in codes)
    # The embedded root is older than the threshold: the page warns once, after the result.
    assert len(at.warning) == 1
    assert "python -m analysis trust-root update --out trusted_root.json" in at.warning[0].value
    assert "Upload trusted_root.json" in at.warning[0].value


def test_wrong_digest_shows_a_classified_failure() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.14.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(D313).run()
    at.button(key="verify_go").click().run()
    assert at.error and at.error[0].value.startswith("Not verified:")
    assert "different file" in at.error[0].value
    assert "What to do" in texts(at)
    assert "digest-mismatch" in texts(at)


def test_bad_digest_text_is_a_message_not_a_traceback() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.text_input(key="verify_digest").input("not a digest").run()
    at.button(key="verify_go").click().run()
    assert not at.exception
    assert "64 hexadecimal characters" in at.error[0].value


def test_hostile_bundle_upload_gets_a_clear_error() -> None:
    at = open_page()
    upload(at, "verify_bundle", "evil.sigstore", b"[" * 100_000)
    at.text_input(key="verify_digest").input(D313).run()
    at.button(key="verify_go").click().run()
    assert not at.exception
    assert at.error and "nests" in at.error[0].value


def test_oversized_bundle_is_refused_before_verifying() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore", b" " * (600 * 1024))
    at.text_input(key="verify_digest").input(D313).run()
    assert at.button(key="verify_go").disabled
    assert "at most 512 KB" in texts(at)


def test_uploaded_artifact_is_hashed_and_verified_with_staging_and_another_identity() -> None:
    at = open_page()
    upload(at, "verify_bundle", "bundle_v3.txt.sigstore")
    at.radio(key="verify_mode").set_value("Upload the file").run()
    upload(at, "verify_artifact", "bundle_v3.txt")
    at.radio(key="verify_root").set_value("Staging (embedded)").run()
    at.checkbox(key="verify_custom").check().run()
    at.text_input(key="verify_identity").input("william@yossarian.net").run()
    at.text_input(key="verify_issuer").input("https://github.com/login/oauth").run()
    at.button(key="verify_go").click().run()
    assert not at.exception
    assert at.success and "bundle_v3.txt was signed by william@yossarian.net" in shown(at.success[0].value)
    assert not any(b.key == "verify_attach" for b in at.button)  # not a CPython release manager


def test_changing_input_hides_the_previous_result() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(D313).run()
    at.button(key="verify_go").click().run()
    assert at.success
    at.text_input(key="verify_digest").input("0" * 64).run()
    assert not at.success and not at.error


def test_attach_successful_verification_to_a_response(store: ResponseStore) -> None:
    token = store.submit(make_response()).token
    assert token
    at = open_page(token=token)
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(D313).run()
    at.button(key="verify_go").click().run()
    at.button(key="verify_attach").click().run()
    assert not at.exception
    assert any("Attached" in s.value for s in at.success)
    evidence = store.history_for_token(token)[-1].response.verification_evidence
    assert len(evidence) == 1
    assert (evidence[0].python_version, evidence[0].identity, evidence[0].sha256) == ("3.13", "thomas@python.org", D313)
    assert "sigstore-python" in evidence[0].tool


def test_attach_with_a_wrong_token_says_so() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(D313).run()
    at.button(key="verify_go").click().run()
    at.text_input(key="verify_token").input("https://example.org/survey?edit=nope").run()
    at.button(key="verify_attach").click().run()
    assert not at.exception
    assert any("not recognised" in e.value for e in at.error)


def test_stale_root_warning_comes_once_after_the_result_and_not_before_verifying() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(D313).run()
    assert not at.warning  # nothing verified yet: the root's age is a caption in the options
    assert any("newest key valid since" in c.value for c in at.caption)
    at.button(key="verify_go").click().run()
    order = [kind for kind, _ in in_order(at)]
    assert order.count("warning") == 1
    assert order.index("warning") > order.index("success")
    assert order[-1] == "warning"  # the last thing on the page


def test_full_digests_are_shown_whole_and_copyable() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.14.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(D313).run()
    at.button(key="verify_go").click().run()
    codes = [c.value for c in at.code]
    assert f"sha256:{D313}" in codes
    assert "sha256:88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851" in codes
    table = at.table[0].value.to_string()
    assert "Digest" not in table  # not cut in a table cell


def test_printed_cosign_command_reads_the_sigstore_bundle_format() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(D313).run()
    at.button(key="verify_go").click().run()
    cosign = next(c.value for c in at.code if c.value.startswith("cosign"))
    assert "--new-bundle-format" in cosign


def test_any_release_manager_on_the_page() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.14.0.tgz.sigstore")
    at.selectbox[0].set_value("3.13").run()
    at.text_input(key="verify_digest").input(D314).run()
    at.button(key="verify_go").click().run()
    assert at.error and "Signed by hugo@python.org, expected thomas@python.org" in shown(at.error[0].value)
    at.checkbox(key="verify_any_rm").check().run()
    assert not at.error and not at.success  # the choice changed: the old result is hidden
    at.button(key="verify_go").click().run()
    assert at.success
    text = shown(at.success[0].value)
    assert text.startswith("Verified (another release manager)")
    assert "hugo@python.org" in text and "release manager for 3.14, 3.15" in text


def test_attached_evidence_names_the_artifact_not_the_bundle(store: ResponseStore) -> None:
    token = store.submit(make_response()).token
    assert token
    at = open_page(token=token)
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.text_input(key="verify_digest").input(D313).run()
    at.button(key="verify_go").click().run()
    at.button(key="verify_attach").click().run()
    evidence = store.history_for_token(token)[-1].response.verification_evidence
    assert evidence[0].artifact == "Python-3.13.0.tgz"


def _good() -> bytes:
    return (FIXTURES / "Python-3.13.0.tgz.sigstore").read_bytes()


def test_hostile_bundles_on_the_page_are_classified_failures() -> None:
    from tests.test_verification_hostile import corrupt_san_bundle

    cases = {
        "superscript log index": _good().replace(b'"logIndex": "137592587"', '"logIndex": "²"'.encode()),
        "corrupt SubjectAlternativeName": corrupt_san_bundle(),
        "quadratic pattern": b'\\"' * (200 * 1024),
    }
    for name, data in cases.items():
        at = open_page()
        upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore", data)
        at.text_input(key="verify_digest").input(D313).run()
        at.button(key="verify_go").click().run()
        assert not at.exception, name
        assert at.error and shown(at.error[0].value).startswith("Not verified:"), name
        assert any("Failure class" in c.value for c in at.caption), name


def test_hostile_trusted_root_on_the_page_is_a_message() -> None:
    at = open_page()
    upload(at, "verify_bundle", "Python-3.13.0.tgz.sigstore")
    at.radio(key="verify_root").set_value("Upload trusted_root.json").run()
    root = json.dumps({"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"})
    upload(at, "verify_root_file", "trusted_root.json", root[:-1].encode() + b', "n": ' + b"9" * 5000 + b"}")
    assert not at.exception
    assert at.error and "JSON parsing refuses" in at.error[0].value


def test_a_file_name_is_shown_literally_not_as_markdown() -> None:
    at = open_page()
    upload(at, "verify_bundle", "bundle_v3.txt.sigstore")
    at.radio(key="verify_mode").set_value("Upload the file").run()
    name = "![x](http://127.0.0.1:9/p.png)_a_.txt"
    upload(at, "verify_artifact", name, (FIXTURES / "bundle_v3.txt").read_bytes())
    at.radio(key="verify_root").set_value("Staging (embedded)").run()
    at.checkbox(key="verify_custom").check().run()
    at.text_input(key="verify_identity").input("william@yossarian.net").run()
    at.text_input(key="verify_issuer").input("https://github.com/login/oauth").run()
    at.button(key="verify_go").click().run()
    body = at.success[0].value
    assert "!\\[x\\](http://127.0.0.1:9/p.png)\\_a\\_.txt was signed" in body  # escaped: no image, no emphasis
    assert f"{name} was signed" in shown(body)  # and reads as the name
