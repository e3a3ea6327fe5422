"""The body of ``python -m analysis trust-root`` (parser in :mod:`analysis.commands.trust_root`)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from analysis.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from analysis.verification.safe_text import printable
from analysis.verification.trust_root import (
    MAX_TRUST_ROOT_BYTES,
    Instance,
    TrustRootError,
    embedded_trust_root,
    embedded_trust_root_bytes,
    load_trust_root,
)
from analysis.verification.tuf_update import (
    PRODUCTION_TUF_URL,
    STAGING_TUF_URL,
    BootstrapError,
    TrustRootUpdateError,
    provenance_path,
    read_provenance,
    update_trust_root,
)


def run_trust_root(args: argparse.Namespace) -> int:
    return _update(args) if args.action == "update" else _show(args)


def _update(args: argparse.Namespace) -> int:
    if args.url and args.staging:
        print("error: give either --url or --staging, not both", file=sys.stderr)
        return EXIT_USAGE
    url = args.url or (STAGING_TUF_URL if args.staging else PRODUCTION_TUF_URL)
    if not args.out.parent.is_dir():
        print(f"error: {printable(str(args.out.parent))} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    bootstrap = None
    if args.root is not None:
        try:
            bootstrap = args.root.read_bytes()[: MAX_TRUST_ROOT_BYTES + 1]
        except OSError as exc:
            print(f"error: cannot read {printable(str(args.root))}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        root, provenance = update_trust_root(args.out, url=url, bootstrap_root=bootstrap)
    except BootstrapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TrustRootUpdateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote {printable(str(args.out))} (sha256:{provenance.sha256})")
    print(f"  from TUF repository {provenance.tuf_repository}, root version {provenance.root_version}")
    print(f"  fetched at {provenance.fetched_at}; provenance in {printable(str(provenance_path(args.out)))}")
    print(f"  {root.age_sentence()}")
    print(f"Ship both files to offline builders and verify with --trusted-root {printable(str(args.out))}.")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    if args.file is None:
        instance: Instance = "staging" if args.staging else "production"
        root, data = embedded_trust_root(instance), embedded_trust_root_bytes(instance)
        origin = f"embedded in the installed sigstore-python ({instance})"
    else:
        try:
            with args.file.open("rb") as fh:
                data = fh.read(MAX_TRUST_ROOT_BYTES + 1)
            root = load_trust_root(data, args.file.name)
        except OSError as exc:
            print(f"error: cannot read {printable(str(args.file))}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        except TrustRootError as exc:
            print(f"error: {printable(str(args.file))}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        provenance = read_provenance(args.file)
        origin = (
            f"TUF repository {printable(provenance.tuf_repository)}, root version {provenance.root_version},"
            f" fetched at {printable(provenance.fetched_at)} ({_age(provenance.fetched_at)})"
            if provenance
            else f"no {provenance_path(args.file).name} next to it: origin unknown"
        )
    print(printable(root.name))
    print(f"  source: {origin}")
    since = root.newest_key_start.date().isoformat() if root.newest_key_start else None
    print(f"  age: newest key valid since {since} ({root.age_days()} days ago)" if since else "  age: unknown")
    for line in describe(json.loads(data)):
        print(line)
    warning = root.stale_warning()
    if warning:
        sys.stdout.flush()
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _age(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return "age unknown"
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return f"{(datetime.now(UTC) - when).days} days ago"


def _validity(item: Any) -> str:
    raw = item.get("validFor") if isinstance(item, dict) else None
    valid: dict[str, Any] = raw if isinstance(raw, dict) else {}
    start = str(valid.get("start", "?"))[:10]
    end = str(valid["end"])[:10] if valid.get("end") else "open"
    return f"valid {start} → {end}"


def describe(doc: Any) -> list[str]:
    """Lines listing the logs, CT logs, CAs and timestamp authorities of a (validated) trust root."""
    doc = doc.get("trustedRoot", doc) if isinstance(doc, dict) and "trustedRoot" in doc else doc
    lines: list[str] = []
    sections = [
        ("transparency logs", "tlogs", "baseUrl", True),
        ("certificate authorities", "certificateAuthorities", "uri", False),
        ("certificate transparency logs", "ctlogs", "baseUrl", True),
        ("timestamp authorities", "timestampAuthorities", "uri", False),
    ]
    for title, key, url_key, keyed in sections:
        items = [i for i in doc.get(key) or [] if isinstance(i, dict)] if isinstance(doc, dict) else []
        lines.append(f"{title} ({len(items)}):")
        for item in items:
            holder = item.get("publicKey") if keyed and isinstance(item.get("publicKey"), dict) else item
            log_id = item.get("logId", {}).get("keyId", "") if isinstance(item.get("logId"), dict) else ""
            suffix = f"  log id {printable(str(log_id))}" if log_id else ""
            lines.append(f"  {printable(str(item.get(url_key, '?')))}  {_validity(holder)}{suffix}")
    return lines
