"""An import file parsed and validated in a child process while this one writes (issue 14).

Parsing and validating an answer (pydantic, the text rule) and writing it (SQLite) each cost
about as much as the other, and both hold the GIL for most of it: a parser *thread* overlapped
nothing measurable (100,000 answers took the sum of the two, 6.1 s). A child process parses the
file on the other core and hands the writer each batch as :class:`AnswerColumns` (lists of text,
numbers and dates: about a microsecond per answer to pickle and unpickle), so the import takes
about as long as its writing alone.

What the caller sees does not change: the same batches as ``iter_batches`` turned into columns,
then :class:`~analysis.importer.ImportRejected` with the same outcome if any item was bad, or the
same ``UnicodeDecodeError``/``OSError`` a read raised. Memory stays bounded: the pipe holds no
batch the writer has not asked for (the child waits in ``send``). A child that dies (kill -9, out
of memory) is reported as :class:`ParserStopped`, never as a short import: the batches received
so far are in the caller's transaction, which the exception rolls back. A parent that dies closes
the pipe, and the child's next ``send`` fails, so it stops too.

The child is forked, so it needs nothing pickled to start and reads the file the parent opened;
where ``fork`` is not offered (Windows, say) the parser runs in a thread instead (same results,
without the overlap).
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TextIO

from analysis.importer import BATCH_SIZE, ImportRejected, ParseOutcome, iter_batches, prefetched
from analysis.storage.rows import AnswerColumns, answer_columns

_BATCH, _END, _FAILED = "batch", "end", "failed"


class ParserStopped(Exception):
    """The parser process ended without saying how the file ended (killed, out of memory)."""

    def __init__(self, exitcode: int | None) -> None:
        how = "was killed" if exitcode is not None and exitcode < 0 else "stopped"
        by = f" by signal {-exitcode}" if exitcode is not None and exitcode < 0 else ""
        code = f" with exit code {exitcode}" if exitcode is not None and exitcode > 0 else ""
        super().__init__(f"the parser process {how}{by}{code} before the end of the file")
        self.exitcode = exitcode


def parsed_columns(stream: TextIO, outcome: ParseOutcome, size: int = BATCH_SIZE) -> Iterator[AnswerColumns]:
    """The file's validated batches as columns, parsed in a child process where one can be forked.

    ``outcome`` is filled in when the file ends (errors, counts), as ``iter_batches`` does.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return prefetched(map(answer_columns, iter_batches(stream, outcome, size)))
    return _from_child(stream, outcome, size)


def _from_child(stream: TextIO, outcome: ParseOutcome, size: int) -> Iterator[AnswerColumns]:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_parse, args=(stream, size, send, receive), name="import-parser", daemon=True)
    child.start()
    send.close()  # the child holds the only writing end: its end (or death) is this end's EOF
    try:
        while True:
            try:
                kind, payload, found = _receive(receive, child)
            except EOFError:
                child.join(timeout=5)
                raise ParserStopped(child.exitcode) from None
            if kind == _BATCH:
                yield payload
                continue
            assert found is not None  # the end and failure messages carry the outcome
            outcome.errors, outcome.error_count, outcome.valid = found.errors, found.error_count, found.valid
            if kind == _FAILED:
                raise payload
            if outcome.error_count:
                raise ImportRejected(outcome)
            return
    finally:
        receive.close()
        if child.is_alive():  # the writer stopped early (its own error): the rest is not wanted
            child.terminate()
        child.join(timeout=5)


def _receive(receive: Connection, child: BaseProcess) -> tuple[str, Any, ParseOutcome | None]:
    """The child's next message; EOFError once it has ended without one.

    The end of the pipe says so too, unless some other process forked while the writing end was
    open here and holds a copy: so the child's liveness is checked as well, twice a second.
    """
    while not receive.poll(0.5):
        if not child.is_alive() and not receive.poll(0):
            raise EOFError
    message: tuple[str, Any, ParseOutcome | None] = receive.recv()
    return message


def _parse(stream: TextIO, size: int, send: Connection, receive: Connection) -> None:
    """The child: every batch of ``stream`` sent as columns, then how the file ended."""
    receive.close()  # else the pipe outlives a killed parent and a full pipe blocks forever
    gc.freeze()  # objects inherited from the parent (its connections) are never finalised here
    # Ctrl-C reaches the whole process group: the parent rolls back and stops this process; a
    # KeyboardInterrupt here would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _send_batches(stream, size, send)
    except (BrokenPipeError, ConnectionResetError):  # the parent is gone: nobody to tell
        pass
    finally:
        send.close()


def _send_batches(stream: TextIO, size: int, send: Connection) -> None:
    outcome = ParseOutcome()
    batches = iter_batches(stream, outcome, size)
    while True:
        try:
            batch = next(batches, None)
        except ImportRejected:
            break
        except Exception as exc:  # noqa: BLE001 - a read error (OSError, not UTF-8): the parent raises it
            send.send((_FAILED, _picklable(exc), outcome))
            return
        if batch is None:
            break
        send.send((_BATCH, answer_columns(batch), None))
    send.send((_END, None, outcome))


def _picklable(exc: Exception) -> Exception:
    """``exc`` itself if it survives pickling (``OSError`` and ``UnicodeDecodeError`` do), else its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, just made
    except Exception:  # noqa: BLE001 - any failure to pickle
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
