"""Rendering the formats of one export run together: one pass over the works, split over two processes on a
multi-core machine.

Every format is a Renderer in three steps:
    plan(works)                 cheap, whole-list decisions made before any work is rendered (unique citation
                                keys, academicpages file names, which works a list leaves out); may raise ExportError
    fragment(work, view, arg)   the costly part: one work's text in this format, a pure function of its arguments
    assemble(works, fragments)  cheap: the fragments put together into the files

Works are sorted once, and each View (what every format reads off a work) is built once for all formats. A work
whose fragments are in the cache (cache.py) is not rendered at all; the others are rendered in chunks, shared out
between this process and a forked child on a multi-core machine, and appended to the cache by whichever process
made them. The result is the same bytes either way: a fragment depends on nothing but its own work and context.
"""
from __future__ import annotations

import gc
import os
import pickle
import signal
import tempfile
import threading
from contextlib import contextmanager
from typing import Any, Callable, Protocol

from pubsync.export.cache import Slot, append, fragment_key, work_digest
from pubsync.export.prepared import View
from pubsync.export.writer import ExportError
from pubsync.export.workview import sort_key
from pubsync.records import Work
from pubsync.settings import Person

# Below this many works a fork costs more than it saves (the child's start and the fragments' way back ~ 0.05 s).
PARALLEL_FROM = 2000


class Renderer(Protocol):
    def plan(self, works: list[Work]) -> list[Any] | None: ...
    def fragment(self, work: Work, view: View, arg: Any) -> str | bytes: ...
    def assemble(self, works: list[Work], fragments: list[Any]) -> dict[str, bytes]: ...


SKIP = object()      # a plan's argument for a work the format leaves out; its fragment is None


def render_many(works: list[Work], renderers: dict[str, Renderer], people: list[Person],
                parallel: bool | None = None, slots: dict[str, Slot] | None = None) -> dict[str, dict[str, bytes]]:
    """{format: {relative path: bytes}} for every renderer. `parallel`: None decides by the machine and the size of
    the list, True forks whenever the platform can, False never forks. `slots`: the fragment cache (cache.py) of
    some formats; their cached fragments are used, the others rendered and appended to the slot."""
    with no_gc():
        ordered = sorted(works, key=sort_key)
        n = len(ordered)
        plans = {}
        for fmt, r in renderers.items():
            with naming(fmt):
                plans[fmt] = r.plan(ordered)
        cached = _from_cache(ordered, plans, slots) if slots else {}
        needs = {fmt: cached[fmt][1] if fmt in cached else None for fmt in renderers}
        todo = list(range(n)) if len(cached) < len(renderers) else \
            [i for i in range(n) if any(need[i] for need in needs.values())]
        # Fragments go into the cache as they are made, by whichever process makes them.
        appends = {fmt: slots[fmt].open_append() if any(cached[fmt][1]) else None for fmt in cached}
        keep = {fmt: (fd, cached[fmt][2]) for fmt, fd in appends.items() if fd is not None}

        def compute(lo: int, hi: int) -> dict[str, list[Any]]:
            return _fragments(ordered, todo[lo:hi], renderers, plans, needs, people, keep)

        try:
            if _should_fork(len(todo), parallel):
                fresh = _in_two_processes(compute, len(todo))
            else:
                fresh = compute(0, len(todo))
        except BaseException:
            for fd in keep.values():
                os.close(fd[0])
            raise
        fragments: dict[str, list[Any]] = {}
        for fmt in renderers:
            if fmt not in cached:
                fragments[fmt] = fresh[fmt]
                continue
            got, need = cached[fmt][:2]
            if len(fresh[fmt]) == n:              # every work rendered afresh (a first export)
                got[:] = fresh[fmt]
            else:
                made = iter(fresh[fmt])
                for i in todo:
                    if need[i]:
                        got[i] = next(made)
            fragments[fmt] = got
            slots[fmt].finish(appends[fmt], _live(cached[fmt]))
        out = {}
        for fmt, r in renderers.items():
            with naming(fmt):
                out[fmt] = r.assemble(ordered, fragments[fmt])
        return out


def _live(entry: tuple) -> Callable[[], dict[bytes, Any]]:
    """The fragments this run uses in one cached format (after rendering, `got` holds them all). Slot.finish()
    asks only when the slot held fragments, so the keys were computed up front (_from_cache)."""
    got, _, keys, _ = entry
    return lambda: {k: f for k, f in zip(keys, got) if k is not None and f is not None}


def _from_cache(ordered: list[Work], plans: dict[str, list[Any] | None], slots: dict[str, Slot]) -> dict[str, tuple]:
    """Per cached format: (fragments with the cached ones in place, which works still need rendering, each work's
    cache key, what the slot held). With every slot empty (a first export) the keys are None: whichever process
    renders a work computes its key (_fragments), so the digests are shared out too."""
    n = len(ordered)
    held = {fmt: slot.load() for fmt, slot in slots.items()}
    if not any(held.values()):
        return {fmt: ([None] * n, [True] * n if plans[fmt] is None else [arg is not SKIP for arg in plans[fmt]],
                      None, held[fmt]) for fmt in slots}
    digests = [work_digest(w) for w in ordered]
    out = {}
    for fmt in slots:
        plan = plans[fmt]
        known = held[fmt]
        got: list[Any] = [None] * n
        need = [False] * n
        keys: list[bytes | None] = [None] * n
        for i, digest in enumerate(digests):
            arg = plan[i] if plan is not None else None
            if arg is SKIP:
                continue
            if digest is not None:
                key = keys[i] = fragment_key(digest, arg)
                hit = known.get(key)
                if hit is not None:
                    got[i] = hit
                    continue
            need[i] = True
        out[fmt] = (got, need, keys, known)
    return out


@contextmanager
def naming(fmt: str):
    """An ExportError raised inside says which format it came from (e.format), for the caller's message."""
    try:
        yield
    except ExportError as e:
        e.format = fmt
        raise


def _fragments(ordered: list[Work], todo: list[int], renderers: dict[str, Renderer],
               plans: dict[str, list[Any] | None], needs: dict[str, list[bool] | None], people: list[Person],
               keep: dict[str, tuple[int, list[bytes | None] | None]]) -> dict[str, list[Any]]:
    """The fragments of the works at `todo`, per format in that order; a format with a `needs` list only for the
    works it marks. Those of a format in `keep` (a cache descriptor and each work's key) are appended to its cache."""
    out: dict[str, list[Any]] = {fmt: [] for fmt in renderers}
    steps = [(r.fragment, plans[fmt], needs[fmt], out[fmt].append) for fmt, r in renderers.items()]
    for i in todo:
        work = ordered[i]
        view = View(work, people)
        for fragment, plan, need, add in steps:
            if need is not None and not need[i]:
                continue
            if plan is None:
                add(fragment(work, view, None))
            else:
                arg = plan[i]
                add(None if arg is SKIP else fragment(work, view, arg))
    digests: dict[int, bytes | None] = {}
    for fmt, (fd, keys) in keep.items():
        need, plan = needs[fmt], plans[fmt]
        made = [i for i in todo if need[i]]
        if keys is None:
            entries = {}
            for i, f in zip(made, out[fmt]):
                if f is None:
                    continue
                digest = digests[i] if i in digests else digests.setdefault(i, work_digest(ordered[i]))
                if digest is not None:
                    entries[fragment_key(digest, plan[i] if plan is not None else None)] = f
        else:
            entries = {keys[i]: f for i, f in zip(made, out[fmt]) if keys[i] is not None and f is not None}
        append(fd, entries)
    return out


def _should_fork(n: int, parallel: bool | None) -> bool:
    if parallel is False or not hasattr(os, "fork") or n < 2:
        return False
    if parallel:
        return True
    # A fork copies only the calling thread: with others alive (a progress spinner, a test's server), one of them
    # could hold a lock the child then waits on forever.
    return n >= PARALLEL_FROM and _cpus() >= 2 and threading.active_count() == 1


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _in_two_processes(compute: Callable[[int, int], dict[str, list[Any]]], n: int) -> dict[str, list[Any]]:
    """compute() over the whole range, in chunks shared out between this process and a forked child: each takes
    the next chunk when it is free (a byte from a pipe), so neither waits on the other however the machine treats
    them. The child writes each finished chunk to an in-memory file. A child that fails for any reason (an
    exception, a kill, no memory) only means its chunks are computed here after all, so an error surfaces here,
    from the same code, as it would without the fork."""
    chunks = max(2, min(_MAX_CHUNKS, n // _CHUNK))
    bounds = [n * i // chunks for i in range(chunks + 1)]
    tokens_read, tokens_write = os.pipe()
    os.write(tokens_write, bytes(range(chunks)))       # fewer than 256 bytes: one write, never blocks
    os.close(tokens_write)
    results = _shared_file()

    def take() -> int | None:
        token = os.read(tokens_read, 1)
        return token[0] if token else None

    pid = os.fork()
    if pid == 0:                                   # the child: compute, write, leave without any cleanup
        code = 1
        try:
            while (c := take()) is not None:
                pickle.dump((c, compute(bounds[c], bounds[c + 1])), results, pickle.HIGHEST_PROTOCOL)
            results.flush()
            code = 0
        finally:
            os._exit(code)
    done: dict[int, dict[str, list[Any]]] = {}
    try:
        try:
            while (c := take()) is not None:
                done[c] = compute(bounds[c], bounds[c + 1])
        except BaseException:
            _stop(pid)
            raise
        _, status = os.waitpid(pid, 0)
        if status == 0:
            results.seek(0)
            try:
                while len(done) < chunks:
                    c, part = pickle.load(results)
                    done[c] = part
            except (EOFError, pickle.UnpicklingError, ValueError, TypeError):
                pass                            # what is missing is computed below
    finally:
        os.close(tokens_read)
        results.close()
    for c in range(chunks):               # the child's chunks, when it failed
        if c not in done:
            done[c] = compute(bounds[c], bounds[c + 1])
    out = done[0]
    for c in range(1, chunks):
        for fmt, items in done[c].items():
            out[fmt].extend(items)
    return out


_CHUNK = 100          # works per chunk, at least
_MAX_CHUNKS = 255     # one byte per chunk in the pipe


def _shared_file():
    """A file both processes see (the fork shares it), in memory where the platform allows."""
    if hasattr(os, "memfd_create"):
        try:
            return os.fdopen(os.memfd_create("pubsync-render", os.MFD_CLOEXEC), "w+b")
        except OSError:
            pass
    return tempfile.TemporaryFile()


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


@contextmanager
def no_gc():
    """Rendering allocates hundreds of thousands of strings and tuples that all stay alive until it returns: the
    cyclic garbage collector would walk the whole heap (every Work) again and again for nothing. Reference counting
    still frees everything; the collector is switched back on (if it was on) at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
