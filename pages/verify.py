"""Verify a CPython artifact's Sigstore bundle offline. Thin page: logic is in analysis.verification."""

from __future__ import annotations

import streamlit as st

from analysis.models import VerificationEvidence, now_utc
from analysis.schedule import load_schedule
from analysis.storage import TokenNotFound
from analysis.verification import (
    MAX_BUNDLE_BYTES,
    InputRejected,
    TrustRoot,
    TrustRootError,
    VerificationResult,
    embedded_trust_root,
    equivalent_commands,
    expected_signers,
    infer_python_version,
    load_trust_root,
    parse_sha256,
    sha256_stream,
    verify_bundle,
)
from analysis.verification.identities import issuer_display_name, strip_bundle_suffix
from analysis.verification.safe_text import markdown_literal
from analysis.verification.trust_root import MAX_TRUST_ROOT_BYTES, sigstore_version
from analysis.verification.verify import TOOL_NAME
from ui.store import get_store

st.title("Verify a CPython release with Sigstore, offline")
st.write(
    "Give the `.sigstore` bundle published next to a python.org download and either the file itself or its "
    "SHA-256. The check runs here without any network access, against the release manager on record for "
    "that Python version, and tells you in plain words what went wrong if it fails."
)

# -- inputs ------------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    bundle_file = st.file_uploader(
        "Sigstore bundle (.sigstore / .sigstore.json)",
        type=["sigstore", "json"],
        help=f"At most {MAX_BUNDLE_BYTES // 1024} KB; a real bundle is 5-10 KB.",
        key="verify_bundle",
    )
with right:
    mode = st.radio("Artifact", ["Paste its SHA-256", "Upload the file"], horizontal=True, key="verify_mode")
    artifact_file = None
    digest_text = ""
    if mode == "Upload the file":
        artifact_file = st.file_uploader(
            "Artifact (hashed in 1 MiB chunks, never kept)", key="verify_artifact", help="e.g. Python-3.14.0.tgz"
        )
    else:
        digest_text = st.text_input(
            "SHA-256 of the artifact", placeholder="sha256:… or 64 hex characters", key="verify_digest"
        )

names = [artifact_file.name if artifact_file else None, bundle_file.name if bundle_file else None]
inferred = infer_python_version(*names)
signers = expected_signers()
versions = list(signers)
newest = load_schedule().newest_released_line()
default_version = inferred if inferred in signers else (newest if newest in signers else versions[-1])

c1, c2 = st.columns([1, 3])
with c1:
    version = st.selectbox(
        "Python version",
        versions,
        index=versions.index(default_version),
        key=f"verify_version_{inferred}",
        help="Inferred from the file name when it names a release; change it if needed.",
    )
    st.caption(f"Inferred from the file name: {inferred}" if inferred else "Could not infer it from a file name.")
signer = signers[version]
with c2:
    st.markdown(
        f"**Expected signer for Python {version}:** `{signer.identity}` ({signer.release_manager}), "
        f"OIDC issuer **{issuer_display_name(signer.issuer)}** `{signer.issuer}`"
    )
    st.caption(f"Source: data/sigstore_identities.csv — {signer.source}")

identity, issuer, custom_identity = signer.identity, signer.issuer, False
root: TrustRoot | None = None
root_file_name: str | None = None
with st.expander("Trust root and advanced options"):
    root_choice = st.radio(
        "Trust root",
        ["Production (embedded)", "Staging (embedded)", "Upload trusted_root.json"],
        horizontal=True,
        key="verify_root",
    )
    if root_choice == "Upload trusted_root.json":
        root_file = st.file_uploader("trusted_root.json", type=["json"], key="verify_root_file")
        if root_file is not None:
            if root_file.size > MAX_TRUST_ROOT_BYTES:
                st.error(f"That file is larger than {MAX_TRUST_ROOT_BYTES // 1024} KB: not a trusted_root.json.")
            else:
                try:
                    root = load_trust_root(root_file.getvalue(), root_file.name)
                    root_file_name = root_file.name
                except TrustRootError as exc:
                    st.error(str(exc))
    else:
        root = embedded_trust_root("staging" if root_choice.startswith("Staging") else "production")
    any_rm = st.checkbox(
        "Accept any CPython release manager",
        key="verify_any_rm",
        help="Release managers sign each other's releases (python/release-tools#111): accept a signature by any"
        " identity + OIDC issuer pair in data/sigstore_identities.csv. The result says who signed.",
    )
    if st.checkbox("Expect another identity (not a CPython release manager)", key="verify_custom"):
        identity = st.text_input("Identity", value=identity, key="verify_identity").strip()
        issuer = st.text_input("OIDC issuer", value=issuer, key="verify_issuer").strip()
        custom_identity = (identity, issuer) != (signer.identity, signer.issuer)

if root is not None:
    st.caption(f"Trust root — {root.age_sentence()}")

# -- verify ------------------------------------------------------------------------------------------
problem = None
if bundle_file is None:
    problem = "Add the bundle to verify."
elif bundle_file.size > MAX_BUNDLE_BYTES:
    problem = f"The bundle is {bundle_file.size:,} bytes; at most {MAX_BUNDLE_BYTES // 1024} KB is accepted."
elif artifact_file is None and not digest_text.strip():
    problem = "Add the artifact or paste its SHA-256."
elif root is None:
    problem = "Upload a usable trusted_root.json or pick an embedded trust root."

# The shown result must belong to the inputs on screen: any change of input hides it.
fingerprint = (
    bundle_file.file_id if bundle_file else None,
    artifact_file.file_id if artifact_file else digest_text.strip().lower(),
    version,
    identity,
    issuer,
    root.key if root else None,
    any_rm and not custom_identity,
)
if st.button("Verify", type="primary", disabled=problem is not None, key="verify_go"):
    try:
        if artifact_file is not None:
            artifact_file.seek(0)
            sha256 = sha256_stream(artifact_file)
        else:
            sha256 = parse_sha256(digest_text)
    except InputRejected as exc:
        st.session_state.pop("verify_outcome", None)
        st.error(str(exc))
    else:
        assert bundle_file is not None and root is not None
        fresh = verify_bundle(
            bundle_file.getvalue(),
            sha256,
            identity=identity,
            issuer=issuer,
            trust_root=root,
            python_version=version,
            artifact_name=artifact_file.name if artifact_file else "",
            any_release_manager=any_rm and not custom_identity,
        )
        st.session_state["verify_outcome"] = {
            "result": fresh,
            "version": version,
            "bundle": bundle_file.name,
            "artifact": artifact_file.name if artifact_file else "",
            "instance": root.kind,
            "root_name": (root_file_name or "trusted_root.json") if root.kind == "custom" else None,
            "trust_config": root.from_client_trust_config,
            "custom_identity": custom_identity,
            "stale_warning": root.stale_warning(),
            "fingerprint": fingerprint,
        }
elif problem:
    st.caption(problem)

outcome = st.session_state.get("verify_outcome")
if outcome and outcome["fingerprint"] == fingerprint:
    result: VerificationResult = outcome["result"]
    # The sentence carries the uploaded file's name: shown literally, never as Markdown.
    (st.success if result.ok else st.error)(markdown_literal(result.summary))
    if not result.ok:
        st.markdown(f"**Why:** {result.explanation}")
        st.markdown(f"**What to do:** {result.what_to_do}")
        st.caption(f"Failure class `{result.failure}` — sigstore-python said:")
        st.text(result.detail)
    st.subheader("Evidence")
    rows = [(label, value) for label, value in result.evidence.rows() if not label.startswith("Digest")]
    st.table({"Evidence": [label for label, _ in rows], "Value": [v for _, v in rows]})
    # Full digests, wrapped and with a copy button (a table cell cuts a 71-character value).
    for label, digest in (
        ("Digest checked", result.evidence.digest_checked),
        ("Digest the bundle signed", result.evidence.digest_signed),
    ):
        st.markdown(f"**{label}**")
        st.code(f"sha256:{digest}" if digest else "—", language=None, wrap_lines=True)

    commands = equivalent_commands(
        bundle_name=outcome["bundle"],
        identity=result.expected_identity,
        issuer=result.expected_issuer,
        artifact_name=outcome["artifact"] or None,
        sha256_hex=result.evidence.digest_checked,
        instance=outcome["instance"] if outcome["instance"] != "custom" else "production",
        trusted_root_name=outcome["root_name"],
        bundle_media_type=result.evidence.bundle_media_type,
        trust_config=outcome.get("trust_config", False),
    )
    st.subheader("The same check in your pipeline")
    st.code(commands.sigstore, language="bash", wrap_lines=True)
    st.code(commands.cosign, language="bash", wrap_lines=True)
    for note in commands.notes:
        st.caption(note)

    # -- attach as survey evidence -----------------------------------------------------------------
    if result.ok and not outcome["custom_identity"]:
        st.subheader("Attach to your survey answer")
        st.write("Show that this path works for you: the version, identity, date and tool are added to your answer.")
        token = st.query_params.get("edit") or st.text_input(
            "Your private edit link or token", type="password", key="verify_token"
        )
        token = token.rsplit("edit=", 1)[-1].split("&", 1)[0].strip() if token else ""
        if st.button("Attach this verification", disabled=not token, key="verify_attach"):
            evidence = VerificationEvidence(
                python_version=outcome["version"],
                # The artifact's name, also when only its digest was pasted (the bundle names it).
                artifact=(outcome["artifact"] or strip_bundle_suffix(outcome["bundle"]) or outcome["bundle"])[:200],
                sha256=result.evidence.digest_checked,
                identity=result.expected_identity,
                issuer=result.expected_issuer,
                verified_at=now_utc(),
                tool=TOOL_NAME.format(version=sigstore_version()),
            )
            try:
                get_store().attach_verification(token, evidence)
            except TokenNotFound:
                st.error("That edit link is not recognised. Check the link you saved when you answered.")
            except ValueError as exc:
                st.error(str(exc))
            else:
                st.success("Attached to your answer. Thank you!")

    # -- once, after the result: the trust root is old, and exactly how to refresh it -----------------
    if outcome["stale_warning"]:
        st.warning(
            outcome["stale_warning"]
            + " On this page, open **Trust root and advanced options**, choose **Upload trusted_root.json**"
            " and upload the file that command wrote."
        )
