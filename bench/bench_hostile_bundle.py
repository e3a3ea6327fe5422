"""Benchmark: the hostile-bundle check (size, JSON depth pre-pass, parse, classify) is linear.

Run with ``.venv/bin/python -m bench.bench_hostile_bundle [--repeat R] [--old]``.

What is measured: ``verify_bundle`` (exactly what the public page runs on an upload) and the
``json_depth`` pre-pass alone, on inputs of 64, 256 and 512 KB (512 KB is the upload cap) made of
the patterns that made the old pre-pass quadratic (``\\"`` repeated: 96 KB stalled the server
~20 s), plus a run of ``[`` and a run of quotes. The baseline, measured in the same run, is the real
``Python-3.13.0.tgz.sigstore`` (5 KB, verified). Growth is the 512 KB time over the 64 KB time: 8x
input, so about 8 means linear and 64 quadratic. ``--old`` also times the previous regex at 16 KB
(it would take minutes at 512 KB) to show what was fixed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from analysis.verification import VerificationResult, verify_bundle
from analysis.verification.limits import json_depth

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "tests" / "fixtures" / "sigstore" / "Python-3.13.0.tgz.sigstore"
DIGEST = bytes.fromhex("12445c7b3db3126c41190bfdc1c8239c39c719404e844babbd015a1bc3fafcd4")


def check(data: bytes) -> VerificationResult:
    """What the public page runs on an upload."""
    return verify_bundle(data, DIGEST, identity="thomas@python.org", issuer="https://accounts.google.com")


#: label -> (prefix, repeated unit); the "[" prefix defeats json_depth's no-bracket shortcut.
PATTERNS = {
    'escaped quote \\"': (b"", b'\\"'),
    '[ then \\" ...': (b"[", b'\\"'),
    '[ then "\\" ...': (b"[", b'"\\"'),
    "brackets [": (b"", b"["),
    "pairs []": (b"", b"[]"),
    '[ then quotes "': (b"[", b'"'),
}
SIZES_KB = (64, 256, 512)
_OLD = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')  # the quadratic pattern, for --old


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--old", action="store_true", help="also time the previous (quadratic) regex at 16 KB")
    args = parser.parse_args(argv)

    good = BUNDLE.read_bytes()
    assert check(good).ok
    baseline = median_time(lambda: check(good), args.repeat * 4)
    print(f"baseline: real bundle ({len(good) / 1024:.1f} KB), full verification  {fmt(baseline)}\n")
    print(
        f"{'pattern':22s} {'check':12s}"
        + "".join(f"{kb:>10d} KB" for kb in SIZES_KB)
        + "   growth 64->512 KB (8x input)"
    )
    for label, (prefix, unit) in PATTERNS.items():
        rows: dict[str, list[float]] = {"verify_bundle": [], "json_depth": []}
        for kb in SIZES_KB:
            data = (prefix + unit * (kb * 1024 // len(unit) + 1))[: kb * 1024]
            result = check(data)
            assert not result.ok and result.failure is not None
            rows["verify_bundle"].append(median_time(partial(check, data), args.repeat))
            rows["json_depth"].append(median_time(partial(json_depth, data), args.repeat))
        for what, times in rows.items():
            growth = times[-1] / times[0] if times[0] else float("nan")
            cells = "".join(f"{fmt(t):>13s}" for t in times)
            print(f"{label:22s} {what:12s}{cells}   {growth:5.1f}x  ({times[-1] / baseline:,.2f}x baseline at 512 KB)")
    if args.old:
        data = b'\\"' * (8 * 1024)
        start = time.perf_counter()
        sum(1 for _ in _OLD.finditer(data))
        print(f'\nprevious regex on 16 KB of \\" (for reference): {fmt(time.perf_counter() - start)}')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
