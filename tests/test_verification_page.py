"""AppTest of pages/verify.py: paste a digest, upload an artifact, failures, attach as evidence."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analysis.storage import ResponseStore
from tests.conftest import ROOT, make_response
from tests.test_verif_helpers import FIXTURES

D313 = "12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4"


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
    # The embedded root is older than the threshold, so the page warns (see trust_root module doc).
    assert any("Trust root" in w.value for w in at.warning)


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
    assert at.success and "bundle_v3.txt was signed by william@yossarian.net" in at.success[0].value
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
