"""Realistic synthetic survey responses, reproducible with a seed (benchmarks and tests share them).

``generate_responses(n_responses, n_distributors, seed)`` returns validated ``SurveyResponse``
objects shaped like the real survey:

* each distributor has a *profile* (kind, how early it starts, how far along Sigstore it is, which
  blockers it names); its responses vary around that profile, so cross-tabs show real structure
  rather than uniform noise;
* a distributor is claimed by several responses under spelling variants ("RHEL", "Red Hat
  Enterprise Linux", "  debian ") so the duplicate detection and name normalisation get exercised;
* readiness dates fall in 2025-2027 and are sometimes missing, free text uses the vocabulary the
  codebook's keyword rules look for, some responses carry contacts, verification evidence or the
  ``illustrative`` flag.

``generate_revisions(responses, fraction, seed)`` returns changed copies (same ``response_id``) of a
fraction of the responses: importing them after the originals creates second revisions.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from analysis.models import (
    Blocker,
    DistributorKind,
    PrereleaseStart,
    SigstoreStatus,
    SurveyResponse,
    WorstCase,
)
from analysis.reference_data import known_python_versions

#: Real names first (with the alias spellings the normaliser folds), then generated ones.
_REAL: list[tuple[str, DistributorKind, list[str]]] = [
    ("Debian", DistributorKind.LINUX_DISTRIBUTION, ["Debian", "debian", "Debian GNU/Linux", "Debian Python Team"]),
    ("RHEL", DistributorKind.LINUX_DISTRIBUTION, ["RHEL", "Red Hat Enterprise Linux", "rhel", "Red Hat"]),
    ("Fedora", DistributorKind.LINUX_DISTRIBUTION, ["Fedora", "Fedora Linux", "fedora"]),
    ("Gentoo", DistributorKind.LINUX_DISTRIBUTION, ["Gentoo", "gentoo"]),
    ("Arch Linux", DistributorKind.LINUX_DISTRIBUTION, ["Arch Linux", "archlinux", "Arch"]),
    ("Alpine", DistributorKind.LINUX_DISTRIBUTION, ["Alpine", "Alpine Linux"]),
    ("openSUSE", DistributorKind.LINUX_DISTRIBUTION, ["openSUSE", "openSUSE Tumbleweed", "SUSE"]),
    ("NixOS", DistributorKind.LINUX_DISTRIBUTION, ["NixOS", "nixpkgs", "Nix"]),
    ("FreeBSD", DistributorKind.BSD, ["FreeBSD", "freebsd"]),
    ("OpenBSD", DistributorKind.BSD, ["OpenBSD"]),
    ("Homebrew", DistributorKind.PACKAGE_MANAGER, ["Homebrew", "homebrew"]),
    ("conda-forge", DistributorKind.PACKAGE_MANAGER, ["conda-forge", "conda forge"]),
    ("Spack", DistributorKind.PACKAGE_MANAGER, ["Spack"]),
    ("Docker official images", DistributorKind.CONTAINER_IMAGE, ["Docker official images", "docker-library"]),
    ("pyenv", DistributorKind.VERSION_MANAGER, ["pyenv"]),
    ("uv", DistributorKind.VERSION_MANAGER, ["uv"]),
    ("python-build-standalone", DistributorKind.VERSION_MANAGER, ["python-build-standalone", "PBS"]),
    ("Heroku", DistributorKind.CLOUD_PLATFORM, ["Heroku", "heroku-buildpack-python"]),
    ("GitHub Actions setup-python", DistributorKind.CLOUD_PLATFORM, ["actions/setup-python", "setup-python"]),
]

_KIND_WEIGHTS = {
    DistributorKind.LINUX_DISTRIBUTION: 30,
    DistributorKind.BSD: 5,
    DistributorKind.PACKAGE_MANAGER: 15,
    DistributorKind.CONTAINER_IMAGE: 12,
    DistributorKind.VERSION_MANAGER: 8,
    DistributorKind.CLOUD_PLATFORM: 8,
    DistributorKind.ENTERPRISE_INTERNAL: 17,
    DistributorKind.OTHER: 5,
}
_KIND_PREFIX = {
    DistributorKind.LINUX_DISTRIBUTION: "Linux",
    DistributorKind.BSD: "BSD",
    DistributorKind.PACKAGE_MANAGER: "Pkg",
    DistributorKind.CONTAINER_IMAGE: "Images",
    DistributorKind.VERSION_MANAGER: "Versions",
    DistributorKind.CLOUD_PLATFORM: "Cloud",
    DistributorKind.ENTERPRISE_INTERNAL: "Corp",
    DistributorKind.OTHER: "Project",
}
# Earlier starters tend to be rolling distributions and version managers; enterprises start late.
_START_WEIGHTS = {
    DistributorKind.LINUX_DISTRIBUTION: [10, 35, 25, 20, 10],
    DistributorKind.BSD: [5, 20, 30, 30, 15],
    DistributorKind.PACKAGE_MANAGER: [10, 30, 30, 25, 5],
    DistributorKind.CONTAINER_IMAGE: [5, 35, 35, 20, 5],
    DistributorKind.VERSION_MANAGER: [15, 40, 25, 15, 5],
    DistributorKind.CLOUD_PLATFORM: [2, 10, 20, 40, 28],
    DistributorKind.ENTERPRISE_INTERNAL: [1, 4, 10, 35, 50],
    DistributorKind.OTHER: [5, 20, 25, 30, 20],
}
_STATUS_WEIGHTS = [25, 30, 15, 15, 15]
_BLOCKER_WEIGHTS = {
    Blocker.OFFLINE_VERIFICATION: 30,
    Blocker.PACKAGING_DEPENDENCIES: 25,
    Blocker.TOOLING_SUPPORT: 35,
    Blocker.POLICY_REQUIRES_PGP: 10,
    Blocker.TRUST_MODEL: 12,
    Blocker.AIR_GAPPED_BUILDERS: 15,
    Blocker.IDENTITY_MANAGEMENT: 10,
    Blocker.MAINTAINER_TIME: 28,
    Blocker.OTHER: 5,
}
_BLOCKER_TEXT = {
    Blocker.OFFLINE_VERIFICATION: "Our builders verify offline; the trust root must be pinned and refreshed by hand.",
    Blocker.PACKAGING_DEPENDENCIES: "Packaging sigstore-python pulls in many Rust and crypto dependencies.",
    Blocker.TOOLING_SUPPORT: "uscan and rpm gpgverify only understand OpenPGP signatures.",
    Blocker.POLICY_REQUIRES_PGP: "Our security policy requires a GPG signature on every upstream tarball.",
    Blocker.TRUST_MODEL: "We do not trust a transparency log run by a third party.",
    Blocker.AIR_GAPPED_BUILDERS: "Build hosts are air-gapped with no network access at build time.",
    Blocker.IDENTITY_MANAGEMENT: "Tracking which release manager identity and OIDC issuer signs each version is error-prone.",
    Blocker.MAINTAINER_TIME: "Volunteer maintainers have no time for new tooling this cycle.",
    Blocker.OTHER: "Legal review of the Sigstore terms is pending.",
}
_WORST_WEIGHTS = {
    WorstCase.SHIP_UNVERIFIED: 30,
    WorstCase.STOP_UPDATING: 8,
    WorstCase.PIN_LAST_PGP_RELEASE: 15,
    WorstCase.DELAY_UPGRADES: 35,
    WorstCase.OWN_SIGNATURE_SCHEME: 8,
    WorstCase.DROP_PYTHON: 2,
    WorstCase.NO_IMPACT: 12,
    WorstCase.OTHER: 4,
}
_WORST_TEXT = {
    WorstCase.SHIP_UNVERIFIED: "We would ship unverified sources to our users, which weakens the supply chain.",
    WorstCase.STOP_UPDATING: "Security updates would stop for our users until we catch up.",
    WorstCase.PIN_LAST_PGP_RELEASE: "We would pin 3.13 and stay on the last PGP-signed release.",
    WorstCase.DELAY_UPGRADES: "New Python versions would reach our users months later.",
    WorstCase.OWN_SIGNATURE_SCHEME: "We would re-sign tarballs with our own key after a manual check.",
    WorstCase.DROP_PYTHON: "We would drop the Python package from the base image.",
    WorstCase.NO_IMPACT: "",
    WorstCase.OTHER: "Customers would have to approve an exception.",
}
_COMMENTS = [
    "",
    "",
    "",
    "Thanks for asking downstream before removing PGP.",
    "Please keep dual signing for one more release cycle.",
    "A documented offline verification recipe with cosign would help us a lot.",
    "We need a stable list of signing identities in a machine-readable file.",
]
_ROLES = ["Python package maintainer", "Release engineer", "Security team", "Build infrastructure", None]
_TOOLS = ["sigstore-python 4.1", "cosign 2.4", "sigstore-python 4.0"]
_ISSUERS = {"3.14": ("hugo@python.org", "https://github.com/login/oauth")}


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _sample(rng: random.Random, weights: dict[Any, int], k: int) -> list[Any]:
    chosen: list[Any] = []
    pool = dict(weights)
    for _ in range(min(k, len(pool))):
        pick = _weighted(rng, pool)
        chosen.append(pick)
        pool.pop(pick)
    return chosen


def _distributors(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """``n`` distributor profiles: the real ones first, then generated names."""
    profiles: list[dict[str, Any]] = []
    for canonical, kind, variants in _REAL[:n]:
        profiles.append({"name": canonical, "kind": kind, "variants": variants})
    i = 0
    while len(profiles) < n:
        i += 1
        kind = _weighted(rng, _KIND_WEIGHTS)
        name = f"{_KIND_PREFIX[kind]} {i:04d}"
        profiles.append({"name": name, "kind": kind, "variants": [name, name.lower(), f" {name.upper()} "]})
    versions = list(known_python_versions())
    for p in profiles:
        kind = p["kind"]
        p["start"] = rng.choices(list(PrereleaseStart), weights=_START_WEIGHTS[kind])[0]
        p["status"] = rng.choices(list(SigstoreStatus), weights=_STATUS_WEIGHTS)[0]
        p["blockers"] = _sample(rng, _BLOCKER_WEIGHTS, rng.randint(0, 3))
        worst = _sample(rng, _WORST_WEIGHTS, rng.randint(1, 2))
        # "No impact" excludes every other consequence.
        p["worst"] = [WorstCase.NO_IMPACT] if WorstCase.NO_IMPACT in worst else worst
        first = rng.randint(max(0, len(versions) - 8), len(versions) - 4)
        p["versions"] = versions[first : first + rng.randint(2, 4)]
        p["ready"] = date(2025, 1, 1) + timedelta(days=rng.randint(0, 3 * 365 - 200))
    return profiles


def _response(profile: dict[str, Any], rng: random.Random, index: int) -> dict[str, Any]:
    """One answer varying around the distributor's profile (people answer the same org differently)."""
    drift = rng.random() < 0.25
    start = rng.choice(list(PrereleaseStart)) if drift else profile["start"]
    status = rng.choice(list(SigstoreStatus)) if drift else profile["status"]
    blockers = list(profile["blockers"])
    if drift and rng.random() < 0.5:
        blockers = _sample(rng, _BLOCKER_WEIGHTS, rng.randint(0, 3))
    if status is SigstoreStatus.IN_PRODUCTION and rng.random() < 0.7:
        blockers = []
    worst = list(profile["worst"])
    data: dict[str, Any] = {
        "response_id": uuid.UUID(int=rng.getrandbits(128)).hex,
        "distributor": rng.choice(profile["variants"]),
        "distributor_kind": profile["kind"].value,
        "python_versions": profile["versions"],
        "prerelease_start": start.value,
        "prerelease_lag_days": rng.choice([0, 0, 0, 1, 3, 7, 14, 30, 60, 90]),
        "verifies_pgp_today": rng.choices(["yes", "no", "unsure"], weights=[55, 30, 15])[0],
        "sigstore_status": status.value,
        "blockers": [b.value for b in blockers],
        "blockers_text": " ".join(_BLOCKER_TEXT[b] for b in blockers if rng.random() < 0.6),
        "worst_case": [w.value for w in worst],
        "worst_case_text": " ".join(_WORST_TEXT[w] for w in worst if rng.random() < 0.5),
        "comments": rng.choice(_COMMENTS),
        "submitted_at": (
            datetime(2026, 1, 5, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 320 * 24 * 60) + index % 60)
        ).isoformat(),
    }
    if rng.random() < 0.8:  # some cannot say when they will be ready
        likely = profile["ready"] + timedelta(days=rng.randint(-60, 60))
        likely = min(max(likely, date(2025, 3, 1)), date(2027, 9, 30))
        data["ready_by"] = {
            "earliest": (likely - timedelta(days=rng.randint(0, 60))).isoformat(),
            "likely": likely.isoformat(),
            "latest": min(likely + timedelta(days=rng.randint(0, 120)), date(2027, 12, 31)).isoformat(),
        }
    if rng.random() < 0.3:
        role = rng.choice(_ROLES)
        data["respondent_role"] = role
        data["contact"] = f"maintainer{index}@example.org"
    if status in (SigstoreStatus.VERIFYING_IN_CI, SigstoreStatus.IN_PRODUCTION) and rng.random() < 0.4:
        identity, issuer = _ISSUERS["3.14"]
        data["verification_evidence"] = [
            {
                "python_version": "3.14",
                "artifact": "Python-3.14.0.tgz",
                "sha256": hashlib.sha256(f"{index}".encode()).hexdigest(),
                "identity": identity,
                "issuer": issuer,
                "verified_at": data["submitted_at"],
                "tool": rng.choice(_TOOLS),
            }
        ]
    if rng.random() < 0.02:
        data["illustrative"] = True
        data["source"] = "Illustrative, synthetic."
    return data


def generate_responses(n_responses: int, n_distributors: int, seed: int = 0) -> list[SurveyResponse]:
    """``n_responses`` validated responses spread over ``n_distributors`` distributors.

    Every distributor gets at least one response when ``n_responses >= n_distributors``; the rest
    are spread unevenly (a few popular distributors are claimed many times), as with a real open
    survey. Same arguments, same output.
    """
    if n_responses < 0 or n_distributors < 1:
        raise ValueError("need n_responses >= 0 and n_distributors >= 1")
    rng = random.Random(seed)
    profiles = _distributors(n_distributors, rng)
    owners = list(range(min(n_responses, n_distributors)))
    extra = n_responses - len(owners)
    if extra > 0:
        weights = [1.0 / (1 + i) ** 0.5 for i in range(n_distributors)]
        owners += rng.choices(range(n_distributors), weights=weights, k=extra)
    return [SurveyResponse.model_validate(_response(profiles[o], rng, i)) for i, o in enumerate(owners)]


def generate_revisions(responses: list[SurveyResponse], fraction: float = 0.2, seed: int = 0) -> list[SurveyResponse]:
    """Changed copies (same ``response_id``, later ``submitted_at``) of ``fraction`` of the responses."""
    rng = random.Random(seed)
    revised: list[SurveyResponse] = []
    statuses = list(SigstoreStatus)
    for resp in responses:
        if rng.random() >= fraction:
            continue
        position = statuses.index(resp.sigstore_status)
        status = statuses[min(position + 1, len(statuses) - 1)]
        later = (resp.submitted_at or datetime(2026, 1, 1, tzinfo=UTC)) + timedelta(days=rng.randint(1, 30))
        data = resp.model_dump(mode="json")
        data.update(sigstore_status=status.value, submitted_at=later.isoformat(), comments="Updated after review.")
        revised.append(SurveyResponse.model_validate(data))
    return revised
