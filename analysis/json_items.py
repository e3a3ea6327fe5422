"""JSON items from a text stream, in bounded memory: a JSON list, one object, or JSON Lines.

Why not ``json.load``: an import file may hold 1,000,000 answers; decoding it whole costs several
times its size in memory. Here a window of the stream (``_Buffer``) holds just enough text for the
next value, decoded with the standard decoder (``raw_decode``), so memory is that of one item.
Every item comes with where it is (``item N`` in a list, ``line N`` in JSON Lines), its raw text
and whether it held an integer too long to convert (kept as :class:`OversizedNumber` instead of
the decoder's ``ValueError``); every problem with the JSON itself comes as a message naming line
and column. The importer (``analysis.importer``) validates the items.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

#: One item (a JSON list element or a JSON Lines line). A full response with every text field at
#: its limit and 100 pieces of evidence is well under 1 MB; 8 M characters leaves room, bounds memory.
MAX_ITEM_CHARS = 8 * 1024 * 1024
READ_CHARS = 1 << 20
_WHITESPACE = " \t\n\r"


@dataclass(frozen=True)
class RawItem:
    """One decoded JSON value of the file, with where it is and its text."""

    where: str
    value: Any
    raw: str
    oversized: bool


@dataclass(frozen=True)
class RawLine:
    """A JSON Lines line handed on undecoded (``iter_items(..., undecoded_lines=True)``).

    The importer gives the text to pydantic's own JSON parser first (Rust, one pass, no Python
    dicts); only a line that fails there is decoded here, for its exact message (:meth:`decode`).
    """

    where: str
    raw: str

    def decode(self) -> RawItem | str:
        """The line decoded as :func:`iter_items` would have, or its malformed-JSON message."""
        return _decode_line(_Decoder(), self.where, self.raw)


@dataclass(frozen=True)
class OversizedNumber:
    """What the decoder makes of an integer too long to convert: pydantic then rejects it by key."""

    digits: int


class _Decoder:
    """``json`` with integers too long to convert kept as :class:`OversizedNumber` (and counted)."""

    def __init__(self) -> None:
        self.oversized = 0
        self.limit = sys.get_int_max_str_digits()
        decoder = json.JSONDecoder(parse_int=self._int)
        self.decode, self.raw_decode = decoder.decode, decoder.raw_decode

    def _int(self, text: str) -> int | OversizedNumber:
        if len(text) > self.limit and len(text.lstrip("-")) > self.limit:
            self.oversized += 1
            return OversizedNumber(len(text.lstrip("-")))
        return int(text)


class _Buffer:
    """A window on a text stream: enough text for the next JSON value, line numbers kept.

    ``fill`` drops the text before the cursor, so positions kept across reads are absolute
    (``offset + pos``).
    """

    def __init__(self, stream: TextIO, decoder: _Decoder, read_chars: int = READ_CHARS) -> None:
        self.stream = stream
        self.decoder = decoder
        self.read_chars = read_chars
        self.text = ""
        self.pos = 0
        self.offset = 0  # characters dropped from the front of the window so far
        self.eof = False
        self.lines_before = 0  # newlines in the dropped text
        self.col_before = 0  # characters after the dropped text's last newline
        self.last_raw = ""
        self.last_oversized = False

    def fill(self) -> bool:
        """Read more; False at the end of the stream. Drops consumed text, but only when more
        came: callers hold offsets into the window (a value's end), which a False must not move."""
        if self.eof:
            return False
        chunk = self.stream.read(self.read_chars)
        if not chunk:
            self.eof = True
            return False
        if self.pos:
            self.lines_before += self.text.count("\n", 0, self.pos)
            newline = self.text.rfind("\n", 0, self.pos)
            self.col_before = self.pos - newline - 1 if newline != -1 else self.col_before + self.pos
            self.text = self.text[self.pos :]
            self.offset += self.pos
            self.pos = 0
        self.text += chunk
        return True

    def skip_space(self) -> str:
        """The next non-whitespace character (the cursor moves up to it), or '' at the end."""
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            self.pos = pos
            if pos < len(text):
                return text[pos]
            if not self.fill():
                return ""

    def line_col(self, pos: int) -> tuple[int, int]:
        line = self.lines_before + self.text.count("\n", 0, pos) + 1
        newline = self.text.rfind("\n", 0, pos)
        return line, (pos - newline if newline != -1 else self.col_before + pos + 1)

    def decode(self) -> tuple[Any, str | None]:
        """The JSON value at the cursor (reading more text as needed), or a malformed-JSON message.

        On success ``last_raw`` is the value's text and ``last_oversized`` whether it held an
        integer too long to convert.
        """
        while True:
            before = self.decoder.oversized
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.text) - self.pos > MAX_ITEM_CHARS:
                    line, _ = self.line_col(self.pos)
                    return None, f"line {line}: an item is larger than {MAX_ITEM_CHARS:,} characters or malformed"
                line, col = self.line_col(exc.pos)  # before fill() moves the window
                if self.fill():
                    continue
                return None, f"line {line} column {col}: malformed JSON: {exc.msg}"
            except RecursionError:
                line, _ = self.line_col(self.pos)
                return None, f"line {line}: malformed JSON: nested too deeply"
            # A value ending exactly at the window's end may go on (a number): read more first.
            if end == len(self.text) and self.fill():
                continue
            # A number cut at the window's end inside its fraction or exponent ("1.5" + "e3") also
            # decodes: when only number characters follow up to the end, read more and decode again.
            if (
                not self.eof
                and isinstance(value, int | float | OversizedNumber)
                and not self.text[end:].strip("0123456789eE+-.")
                and self.fill()
            ):
                continue
            self.last_raw = self.text[self.pos : end]
            self.last_oversized = self.decoder.oversized != before
            self.pos = end
            return value, None

    def next_line(self) -> str | None:
        """The next line without its newline, ``_TOO_LONG`` for an overlong one, None at the end."""
        while True:
            end = self.text.find("\n", self.pos)
            if end != -1:
                line = self.text[self.pos : end]
                self.pos = end + 1
                return line
            if len(self.text) - self.pos > MAX_ITEM_CHARS:
                while True:  # skip the rest of the line, a window at a time
                    self.pos = len(self.text)
                    if not self.fill():
                        return _TOO_LONG
                    end = self.text.find("\n")
                    if end != -1:
                        self.pos = end + 1
                        return _TOO_LONG
            if not self.fill():
                if self.pos < len(self.text):
                    line = self.text[self.pos :]
                    self.pos = len(self.text)
                    return line
                return None


#: ``next_line``'s marker for a line over :data:`MAX_ITEM_CHARS` (compared by identity).
_TOO_LONG = "\x00too long"


def iter_items(
    stream: TextIO, *, read_chars: int = READ_CHARS, undecoded_lines: bool = False
) -> Iterator[RawItem | RawLine | str]:
    """Each JSON value of the stream (a :class:`RawItem`) or problem (a message), in file order.

    A ``[`` first means a JSON list; a ``{`` whose value spans lines, one pretty-printed object;
    anything else JSON Lines. ``read_chars`` is the read size (tests vary it: the items must not
    depend on it). After a problem that leaves the rest of a list unreadable, nothing follows.
    With ``undecoded_lines`` JSON Lines come as :class:`RawLine` (the caller decodes them).
    """
    decoder = _Decoder()
    buf = _Buffer(stream, decoder, read_chars)
    buf.fill()
    if buf.text.startswith("\ufeff"):
        buf.pos = 1
    first = buf.skip_space()
    if not first:
        yield "the file is empty"
        return
    if first == "[":
        yield from _iter_list(buf)
        return
    start = buf.offset + buf.pos
    if first == "{":
        value, problem = buf.decode()
        # decode() drops nothing after ``start``: the first value's text is still in the window.
        if problem is None and "\n" in buf.text[start - buf.offset : buf.pos]:
            # One pretty-printed object (it spans lines, so it is not JSON Lines).
            yield RawItem("item 1", value, buf.last_raw, buf.last_oversized)
            if buf.skip_space():
                line, col = buf.line_col(buf.pos)
                yield f"line {line} column {col}: malformed JSON: extra data after the object"
            return
        buf.pos = start - buf.offset  # JSON Lines: start over, line by line
    # Lines are counted from the top of the file: the blank ones skipped so far too.
    lineno = buf.lines_before + buf.text.count("\n", 0, buf.pos)
    while (text := buf.next_line()) is not None:
        lineno += 1
        if text is _TOO_LONG:
            yield f"line {lineno}: longer than {MAX_ITEM_CHARS:,} characters"
            continue
        if not text.strip(_WHITESPACE):
            continue
        yield RawLine(f"line {lineno}", text) if undecoded_lines else _decode_line(decoder, f"line {lineno}", text)


def _decode_line(decoder: _Decoder, where: str, text: str) -> RawItem | str:
    before = decoder.oversized
    try:
        obj = decoder.decode(text)
    except json.JSONDecodeError as exc:
        return f"{where}: malformed JSON: {exc.msg}"
    except RecursionError:
        return f"{where}: malformed JSON: nested too deeply"
    return RawItem(where, obj, text, decoder.oversized != before)


def _iter_list(buf: _Buffer) -> Iterator[RawItem | str]:
    buf.pos += 1  # the "["
    index = 0
    while True:
        nxt = buf.skip_space()
        if nxt == "]":
            buf.pos += 1
            break
        if index:
            if nxt != ",":
                line, col = buf.line_col(buf.pos)
                found = "the end of the file" if not nxt else repr(nxt)
                yield f"line {line} column {col}: malformed JSON: expected ',' or ']', found {found}"
                return
            buf.pos += 1
            buf.skip_space()
        index += 1
        value, problem = buf.decode()
        if problem is not None:
            yield problem
            return
        yield RawItem(f"item {index}", value, buf.last_raw, buf.last_oversized)
    if buf.skip_space():
        line, col = buf.line_col(buf.pos)
        yield f"line {line} column {col}: malformed JSON: extra data after the list"
