"""The illustrative seed answers after their corrections, and who they make affected.

Sources: devcontainers/features@765e8eb ``src/python/install.sh`` (fetches ``.sig`` + ``.pem``,
python.org publishes no ``.pem``; ``--certificate-identity-regexp=".*"``; installs without
verification on any failure) and docker-library/python #977 / #981 (no packages from PyPI during
image builds; no policy that requires PGP). See data/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis.models import SurveyResponse
from analysis.simulation import distributors_from_responses, run_monte_carlo, simulate_policy
from analysis.simulation.montecarlo import MonteCarloConfig

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seed_responses.json"


def seeds() -> dict[str, SurveyResponse]:
    rows = [SurveyResponse.model_validate(r) for r in json.loads(SEEDS.read_text(encoding="utf-8"))]
    return {r.distributor: r for r in rows}


def test_devcontainers_is_not_in_production_and_cites_install_sh() -> None:
    dc = seeds()["devcontainers features"]
    assert dc.sigstore_status.value == "packaged" and dc.ready_by.is_empty()
    assert [w.value for w in dc.worst_case] == ["ship-unverified"]
    assert "devcontainers/features@765e8eb src/python/install.sh" in dc.source
    assert ".pem" in dc.blockers_text and '--certificate-identity-regexp=".*"' in dc.blockers_text
    assert "without signature verification" in dc.worst_case_text


def test_docker_has_no_policy_requires_pgp_blocker() -> None:
    docker = seeds()["Docker official images"]
    assert "policy-requires-pgp" not in [b.value for b in docker.blockers]
    assert "#977" in docker.source and "#981" in docker.source and "PyPI" in docker.source


def test_who_is_affected_in_the_seed_data() -> None:
    dists = distributors_from_responses(seeds().values())
    result = simulate_policy(dists, "3.14.0a1")
    status = {r.distributor: r.status for r in result.distributors}
    # pyenv and conda-forge do not verify PGP today: they lose nothing, and are not "unknown".
    assert status["pyenv"] == status["conda-forge"] == "unverified today"
    assert sorted(r.distributor for r in result.unverified_today) == ["conda-forge", "pyenv"]
    # devcontainers no longer counts as verifying Sigstore: no ready date, so its exposure is unknown.
    assert status["devcontainers features"] == "unknown"
    assert sorted(r.distributor for r in result.unknown) == ["Docker official images", "devcontainers features"]
    assert status["manylinux"] == "in production"  # verifies Sigstore: not "unverified", whatever its PGP answer
    pyenv = next(r for r in result.distributors if r.distributor == "pyenv")
    assert pyenv.exposed is False and pyenv.exposed_days == 0 and pyenv.shown_severity is None
    assert "does not verify CPython's PGP signatures today" in pyenv.explanation
    assert result.summary()["unverified_today"] == 2 and result.summary()["unknown"] == 2

    mc = run_monte_carlo(dists, ["3.14.0a1"], MonteCarloConfig(draws=200)).policies[0]
    assert mc.n_unknown == 2 and mc.n_unverified == 2
    p = dict(zip(mc.names, mc.p_exposed, strict=True))
    assert p["pyenv"] == p["conda-forge"] == 0.0
