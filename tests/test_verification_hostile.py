"""Hostile input to the bundle loader/verifier and the trust-root loader: a result or a classified
failure, never another exception (regressions from issue 10, then hypothesis properties).

The hypothesis profile "ci" (2,000 examples, derandomized) is registered here when tests/conftest.py
has not already registered it; registering the same profile twice only replaces it, so this is harmless.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.verification import FailureClass, TrustRootError, load_trust_root, verify_bundle
from analysis.verification.limits import MAX_BUNDLE_BYTES, json_depth
from analysis.verification.trust_root import embedded_trust_root_bytes
from tests.test_verif_helpers import FIXTURES

# hypothesis ships a built-in "ci" profile (100 examples); ours (tests/conftest.py, or here) has 2,000.
if settings.get_profile("ci").max_examples < 2000:
    settings.register_profile("ci", max_examples=2000, derandomize=True, deadline=None)
CI = settings(
    settings.get_profile("ci"),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

GOOD = (FIXTURES / "Python-3.13.0.tgz.sigstore").read_bytes()
D313 = bytes.fromhex("12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4")
THOMAS = {"identity": "thomas@python.org", "issuer": "https://accounts.google.com"}


def corrupt_san_bundle() -> bytes:
    """The real 3.13.0 bundle whose certificate's SubjectAlternativeName no longer parses (the DER
    of the certificate stays well formed: only the SAN's inner length is wrong)."""
    doc = json.loads(GOOD)
    cert = base64.b64decode(doc["verificationMaterial"]["certificate"]["rawBytes"])
    at = cert.find(bytes.fromhex("04153013811174686f6d6173"))  # OCTET STRING { SEQUENCE { [1] "thomas...
    assert at > 0
    bad = cert[:at] + bytes.fromhex("041530138160") + cert[at + 6 :]
    doc["verificationMaterial"]["certificate"]["rawBytes"] = base64.b64encode(bad).decode()
    return json.dumps(doc).encode()


# -- regressions -------------------------------------------------------------------------------------


def test_superscript_log_index_is_a_classified_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = GOOD.replace(b'"logIndex": "137592587"', '"logIndex": "²"'.encode())
    assert data != GOOD
    result = verify_bundle(data, D313, **THOMAS)
    assert result.failure is FailureClass.MALFORMED_BUNDLE
    assert result.evidence.rekor_log_index is None
    assert result.evidence.certificate_identities == ("thomas@python.org",)  # the rest is still read
    bundle = tmp_path / "Python-3.13.0.tgz.sigstore"
    bundle.write_bytes(data)
    assert main(["verify", "--digest", D313.hex(), "--bundle", str(bundle)]) == 2  # unreadable input
    captured = capsys.readouterr()
    assert "reason: malformed-bundle" in captured.out and "Traceback" not in captured.err


def test_corrupt_subject_alternative_name_is_a_classified_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = verify_bundle(corrupt_san_bundle(), D313, **THOMAS)
    assert not result.ok
    assert result.failure is FailureClass.UNTRUSTED_CERTIFICATE  # the altered certificate no longer chains
    assert result.evidence.certificate_identities == ()
    bundle = tmp_path / "Python-3.13.0.tgz.sigstore"
    bundle.write_bytes(corrupt_san_bundle())
    code = main(["verify", "--digest", D313.hex(), "--bundle", str(bundle)])
    assert code == 1
    assert "Traceback" not in capsys.readouterr().err


def test_trusted_root_with_a_5000_digit_integer_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "trusted_root.json"
    doc = embedded_trust_root_bytes("production").rstrip()
    root.write_bytes(doc[:-1] + b', "n": ' + b"9" * 5000 + b"}")
    assert main(["verify", "--digest", D313.hex(), "--bundle", str(FIXTURES / "Python-3.13.0.tgz.sigstore"),
                 "--trusted-root", str(root)]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "JSON parsing refuses" in err and "4300 digits" in err and "Traceback" not in err
    with pytest.raises(TrustRootError):
        load_trust_root(root.read_bytes())


@pytest.mark.parametrize("kb", [64, 256, 512])
@pytest.mark.parametrize(
    "unit",
    [b'\\"', b'"\\"', b'"\\\n', b'"', b"\\", b"[", b'["'],
    ids=["escaped-quote", "open-string", "backslash-newline", "quotes", "backslashes", "brackets", "bracket-quote"],
)
def test_json_depth_answers_every_pattern_up_to_the_cap(unit: bytes, kb: int) -> None:
    """The patterns that made the old regex quadratic (the bench times them; here: correct answers)."""
    data = (unit * (kb * 1024 // len(unit)))[: min(kb * 1024, MAX_BUNDLE_BYTES)]
    assert json_depth(data) == reference_depth(data)
    result = verify_bundle(data, D313, **THOMAS)
    assert result.failure is FailureClass.MALFORMED_BUNDLE


def reference_depth(data: bytes) -> int:
    """The obvious byte-by-byte state machine json_depth must agree with."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        char = chr(byte)
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def test_json_depth_skips_brackets_inside_strings() -> None:
    assert json_depth(b'{"a": "[[[", "b": ["\\"]]]", {"c": []}]}') == 4


@CI
@given(data=st.lists(st.sampled_from([b"[", b"]", b"{", b"}", b'"', b"\\", b"a", b"\n"]), max_size=300).map(b"".join))
def test_json_depth_agrees_with_the_state_machine(data: bytes) -> None:
    assert json_depth(data) == reference_depth(data)


# -- properties ----------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


def _replace(doc: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[path[0]] = _replace(doc[path[0]], path[1:], new)  # type: ignore[index]
    return copy


BUNDLE_DOC = json.loads(GOOD)
BUNDLE_PATHS = _paths(BUNDLE_DOC)
ROOT_DOC = json.loads(embedded_trust_root_bytes("production"))
ROOT_PATHS = _paths(ROOT_DOC)
CLASSES = set(FailureClass)


@CI
@given(path=st.sampled_from(BUNDLE_PATHS), value=JSON_VALUES)
def test_any_edit_of_a_real_bundle_is_a_result_or_a_classified_failure(path: tuple[Any, ...], value: Any) -> None:
    data = json.dumps(_replace(BUNDLE_DOC, path, value)).encode()
    result = verify_bundle(data, D313, **THOMAS)
    assert result.ok or result.failure in CLASSES
    assert result.summary and result.what_to_do


@CI
@given(data=st.binary(max_size=2048) | st.text(max_size=2048).map(str.encode))
def test_any_bytes_as_a_bundle_are_a_classified_failure(data: bytes) -> None:
    result = verify_bundle(data, D313, **THOMAS)
    assert not result.ok and result.failure in CLASSES


@CI
@given(path=st.sampled_from(ROOT_PATHS), value=JSON_VALUES)
def test_any_edit_of_a_real_trust_root_loads_or_is_a_trust_root_error(path: tuple[Any, ...], value: Any) -> None:
    data = json.dumps(_replace(ROOT_DOC, path, value)).encode()
    try:
        root = load_trust_root(data)
    except TrustRootError as exc:
        assert str(exc)
        return
    assert root.age_sentence()
    root.stale_warning()


@CI
@given(data=st.binary(max_size=2048) | st.text(max_size=2048).map(str.encode))
def test_any_bytes_as_a_trust_root_are_a_trust_root_error(data: bytes) -> None:
    with pytest.raises(TrustRootError):
        load_trust_root(data)
