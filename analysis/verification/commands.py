"""The equivalent command lines for the user's own pipeline, filled in and shell-quoted.

The page and the CLI both show them, so a packager can move from "it works here" to their build
scripts without re-typing identities (the usual source of the Google/GitHub issuer mix-up).
Every value is quoted with :func:`shlex.quote`: file names come from uploads and must never be able
to inject shell syntax into a command someone copies.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from analysis.verification.identities import strip_bundle_suffix


@dataclass(frozen=True)
class EquivalentCommands:
    sigstore: str
    cosign: str
    #: Caveats a person needs before pasting (e.g. cosign needs the file, not a digest).
    notes: tuple[str, ...] = ()


def equivalent_commands(
    *,
    bundle_name: str,
    identity: str,
    issuer: str,
    artifact_name: str | None = None,
    sha256_hex: str | None = None,
    instance: str = "production",
    trusted_root_name: str | None = None,
    bundle_media_type: str | None = None,
    trust_config: bool = False,
) -> EquivalentCommands:
    """``python -m sigstore verify identity --offline ...`` and ``cosign verify-blob ...`` for one file.

    sigstore-python accepts ``sha256:HEX`` in place of the file, so a digest-only check maps exactly;
    cosign verifies files only, so its command names the artifact (inferred from the bundle name
    when only a digest was given).
    """
    q = shlex.quote
    notes: list[str] = []
    artifact = artifact_name or strip_bundle_suffix(bundle_name) or "ARTIFACT"
    target = f"sha256:{sha256_hex}" if (sha256_hex and not artifact_name) else artifact

    sig = ["python", "-m", "sigstore"]
    if trust_config and trusted_root_name:
        sig += ["--trust-config", trusted_root_name]  # sigstore-python reads that format itself
    elif instance == "staging":
        sig.append("--staging")
    sig += ["verify", "identity", "--offline", "--bundle", bundle_name]
    sig += ["--cert-identity", identity, "--cert-oidc-issuer", issuer, target]
    sigstore_cmd = " ".join(q(part) for part in sig)

    cos = ["cosign", "verify-blob", "--bundle", bundle_name]
    # python.org publishes Sigstore (protobuf) bundles; cosign 2.x reads them only with this flag
    # (3.x defaults to it and still accepts it), and --trusted-root works only with that format.
    if bundle_media_type is None or bundle_media_type.startswith("application/vnd.dev.sigstore.bundle"):
        cos.append("--new-bundle-format")
    cos += ["--certificate-identity", identity, "--certificate-oidc-issuer", issuer]
    if trusted_root_name:
        cos += ["--trusted-root", "trusted_root.json" if trust_config else trusted_root_name]
    cos.append(artifact)
    cosign_cmd = " ".join(q(part) for part in cos)

    if trusted_root_name and trust_config:
        notes.append(
            f"cosign takes the trusted root itself, not a ClientTrustConfig: extract it first with"
            f" `jq .trustedRoot {q(trusted_root_name)} > trusted_root.json`."
        )
    elif trusted_root_name:
        notes.append(
            "sigstore-python's CLI takes a full client trust config (--trust-config), not a bare"
            " trusted_root.json; with --offline it uses the root in its cache (or the one embedded in the wheel)."
        )
    else:
        notes.append(
            "cosign fetches its trust root over the network (TUF) unless you pass --trusted-root FILE;"
            " for an offline builder, write one with `python -m analysis trust-root update --out"
            " trusted_root.json` and add `--trusted-root trusted_root.json`."
        )
    if target.startswith("sha256:"):
        notes.append(f"cosign needs the file itself ({artifact}); sigstore-python accepts the digest.")
    if instance == "staging":
        notes.append("Staging: cosign needs the staging trusted_root.json via --trusted-root.")
    return EquivalentCommands(sigstore=sigstore_cmd, cosign=cosign_cmd, notes=tuple(notes))
