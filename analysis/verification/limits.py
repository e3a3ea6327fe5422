"""Input limits for untrusted files: size, JSON nesting depth, and the digest syntax.

Bundles come from anyone on the public page, so they are checked *before* any parser sees them:
a real CPython bundle is 5-10 KB, so :data:`MAX_BUNDLE_BYTES` (512 KB) leaves a wide margin while
refusing a multi-megabyte upload. JSON nesting is measured with a single C-speed regex pass before
``json.loads``: the stdlib parser recurses per level and a 500 KB run of ``[`` would otherwise end in
``RecursionError`` deep inside a library (a traceback, not a message). Real bundles nest 6 levels.

That pre-pass must itself be linear in the input: it runs on every public upload, in the server
process, before anything else. A string pattern that can *fail* to match (an unterminated string,
or ``\\`` before a newline that ``.`` does not match) makes the regex engine retry from every
following quote, which is quadratic: 96 KB of ``\\"`` took ~20 s and stalled every session. The
pattern below always matches from an opening quote (possessive, DOTALL, an unterminated string runs
to the end of the input), so each byte is looked at a bounded number of times
(``bench/bench_hostile_bundle.py`` prints the growth from 64 to 512 KB).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from itertools import accumulate
from pathlib import Path
from typing import Any, BinaryIO

MAX_BUNDLE_BYTES = 512 * 1024
#: Deepest nesting accepted; a Sigstore bundle or trusted root nests well under 10 levels.
MAX_JSON_DEPTH = 32
#: Artifacts are hashed in chunks of this size, so a 30 MB installer never sits in memory whole.
CHUNK_BYTES = 1024 * 1024

#: A string, possibly unterminated or ending in a lone backslash. ``*+`` never backtracks and
#: ``\Z`` lets an unterminated string match, so no position is scanned twice.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
#: +1 for an opening bracket, -1 for a closing one, 0 for anything else (indexed by byte value).
_STEP = tuple(1 if b in b"[{" else (-1 if b in b"]}" else 0) for b in range(256))
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class InputRejected(ValueError):
    """An input file or value refused before verification (too big, not JSON, bad digest...)."""


def json_depth(data: bytes) -> int:
    """Maximum nesting of ``[``/``{`` outside strings, in linear time and without a Python-level loop.

    Strings are removed by one regex pass, everything but brackets by ``bytes.translate``, and the
    running depth is ``itertools.accumulate`` over +1/-1 steps: all C loops (512 KB of ``[`` in
    ~80 ms instead of ~300 ms for a per-token Python loop).
    """
    if data.count(b"[") + data.count(b"{") == 0:
        return 0
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets)), default=0))


def parse_json_limited(data: bytes, *, max_bytes: int, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` behind a size and depth check, with errors a person can act on."""
    if not isinstance(data, bytes | bytearray):
        raise InputRejected(f"{what} must be bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise InputRejected(
            f"{what} is {len(data):,} bytes; at most {max_bytes // 1024} KB is accepted"
            " (a real Sigstore bundle is 5-10 KB): is this the right file?"
        )
    if not data.strip():
        raise InputRejected(f"{what} is empty")
    depth = json_depth(bytes(data))
    if depth > max_depth:
        raise InputRejected(f"{what} nests {depth} levels deep; at most {max_depth} are accepted")
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputRejected(f"{what} is not valid JSON ({exc})") from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits (int_max_str_digits)
        raise InputRejected(f"{what} holds a value JSON parsing refuses ({str(exc)[:120]})") from exc
    except RecursionError as exc:  # defence in depth; the depth check should make this unreachable
        raise InputRejected(f"{what} nests too deeply") from exc


def read_limited(path: Path, *, max_bytes: int, what: str) -> bytes:
    """Read a small file, refusing it without reading further when it is larger than allowed."""
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputRejected(f"{what} {path.name} is larger than {max_bytes // 1024} KB; is this the right file?")
    return data


def parse_sha256(text: str) -> bytes:
    """``sha256:HEX`` or bare ``HEX`` (any case, surrounding spaces) -> 32 bytes."""
    value = text.strip().lower().removeprefix("sha256:").strip()
    if not _HEX64.match(value):
        raise InputRejected(
            "a SHA-256 digest is 64 hexadecimal characters, optionally prefixed with 'sha256:'"
            f" (got {len(value)} characters)"
        )
    return bytes.fromhex(value)


def sha256_chunks(chunks: Iterable[bytes]) -> bytes:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.digest()


def iter_stream(stream: BinaryIO, chunk_bytes: int = CHUNK_BYTES) -> Iterable[bytes]:
    """Yield a binary stream in fixed-size chunks (works for files and Streamlit UploadedFile)."""
    while chunk := stream.read(chunk_bytes):
        yield chunk


def sha256_stream(stream: BinaryIO) -> bytes:
    """SHA-256 of a binary stream read in 1 MiB chunks (the stream is consumed)."""
    return sha256_chunks(iter_stream(stream))


def sha256_file(path: Path) -> bytes:
    """SHA-256 of a file read in 1 MiB chunks."""
    with path.open("rb") as fh:
        return sha256_stream(fh)
