"""The one-pass renderer (pubsync/export/engine.py): the forked half gives the same bytes as one process, a child
that fails costs nothing but time, and an error in rendering surfaces as it would without the fork."""
import dataclasses
import json
import os
import threading
from pathlib import Path

import pytest

from pubsync.export import FORMATS, ExportContext, ExportError, engine, render, render_many
from pubsync.records import Work
from pubsync.settings import Person

GOLDEN = Path(__file__).parent / "golden"
OPTIONS = {"bibtex": [{}, {"encoding": "latex", "bibtex_show": True, "front_matter": True}],
           "papers-yml": [{}, {"group_by": "year", "root_key": "papers"}],
           "academicpages": [{}, {"slug": "key"}],
           "citations-yml": [{}],
           "csl-json": [{"abstract": False}],
           "markdown": [{"group_by": "year", "selected_only": True}, {"group_by": "selected"}],
           "html": [{"group_by": "year"}]}
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")


def many_works(copies: int = 120) -> tuple[list[Person], list[Work]]:
    """The golden profile's and the hostile set's works, copied under new keys (and some titles shared, some
    years dropped) until there are enough for several chunks."""
    profile = json.loads((GOLDEN / "profile.json").read_text(encoding="utf-8"))
    hostile = json.loads((GOLDEN / "hostile.json").read_text(encoding="utf-8"))
    people = [Person(**p) for p in profile["people"]]
    base = [Work.from_dict(w) for w in profile["works"] + hostile["works"]]
    works = []
    for i in range(copies):
        for j, work in enumerate(base):
            copy = Work.from_dict(json.loads(json.dumps(work.to_dict())))
            copy.key = f"{work.key}-{i}"
            if i % 3:
                copy.title = f"{work.title} {i}"
            if i % 7 == 0:
                copy.year = None
            if (i + j) % 5 == 0:
                copy.extra = {**copy.extra, "selected": True}
            works.append(copy)
    return people, works


def contexts(people, pick: int) -> dict[str, ExportContext]:
    return {fmt: ExportContext(people=people, site_kind="al-folio", data_date="2026-03-01", scholar_users=["USR"],
                               options=opts[pick % len(opts)])
            for fmt, opts in OPTIONS.items()}


@needs_fork
@pytest.mark.parametrize("pick", [0, 1])
def test_forked_render_gives_the_same_bytes_as_one_process(pick):
    people, works = many_works()
    assert len(works) // engine._CHUNK >= 4          # several chunks, shared out between the two processes
    serial = render_many(works, contexts(people, pick), parallel=False)
    forked = render_many(works, contexts(people, pick), parallel=True)
    assert list(forked) == list(OPTIONS)
    for fmt in OPTIONS:
        assert forked[fmt] == serial[fmt], fmt
    assert sum(len(files) for files in serial.values()) > 6       # academicpages gave one page per work
    assert len(serial["academicpages"]) == len(works)


def test_render_of_one_format_is_render_many_of_it():
    people, works = many_works(copies=3)
    for fmt, ctx in contexts(people, 1).items():
        assert render(fmt, works, ctx) == render_many(works, {fmt: ctx})[fmt]


class _FailingInChild:
    """Wraps a renderer; its fragment() fails in any process but the one that made it."""

    def __init__(self, inner, how: str) -> None:
        self.inner, self.how, self.pid = inner, how, os.getpid()

    def plan(self, works):
        return self.inner.plan(works)

    def fragment(self, work, view, arg):
        if os.getpid() != self.pid:
            if self.how == "exit":
                os._exit(9)
            raise RuntimeError("child trouble")
        return self.inner.fragment(work, view, arg)

    def assemble(self, works, fragments):
        return self.inner.assemble(works, fragments)


def _renderers(people, pick=0):
    from pubsync.export import _renderer, validate_options
    return {fmt: _renderer(fmt, dataclasses.replace(ctx, options=validate_options(fmt, ctx.options, ctx.site_kind)))
            for fmt, ctx in contexts(people, pick).items()}


@needs_fork
@pytest.mark.parametrize("how", ["raise", "exit"])
def test_a_failing_child_only_costs_time(how):
    people, works = many_works()
    expected = engine.render_many(works, _renderers(people), people, parallel=False)
    wrapped = {fmt: _FailingInChild(r, how) for fmt, r in _renderers(people).items()}
    assert engine.render_many(works, wrapped, people, parallel=True) == expected
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)            # and no child is left behind


@needs_fork
def test_an_error_in_rendering_surfaces_from_the_parent_and_leaves_no_child():
    people, works = many_works()

    class Broken:
        def plan(self, works):
            return None

        def fragment(self, work, view, arg):
            raise ValueError(f"cannot render {work.key}")

        def assemble(self, works, fragments):
            return {"": b""}

    with pytest.raises(ValueError, match="cannot render"):
        engine.render_many(works, {"bibtex": Broken()}, people, parallel=True)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_plan_errors_name_their_format():
    people, works = many_works(copies=1)
    works.append(Work.from_dict({**works[0].to_dict()}))       # the same citation key twice
    with pytest.raises(ExportError, match="citation key") as caught:
        render_many(works, contexts(people, 0))
    assert caught.value.format == "bibtex"


def test_contexts_must_share_their_people():
    people, works = many_works(copies=1)
    ctxs = contexts(people, 0)
    ctxs["csl-json"] = dataclasses.replace(ctxs["csl-json"], people=[Person(name="Somebody Else")])
    with pytest.raises(ValueError, match="same people"):
        render_many(works, ctxs)


def test_no_fork_for_small_lists_or_beside_other_threads(monkeypatch):
    monkeypatch.setattr(engine, "_cpus", lambda: 4)
    assert engine._should_fork(engine.PARALLEL_FROM, None) == hasattr(os, "fork")
    assert not engine._should_fork(engine.PARALLEL_FROM - 1, None)
    assert not engine._should_fork(10**6, False)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not engine._should_fork(10**6, None)
    finally:
        stop.set()
        thread.join()
    monkeypatch.setattr(engine, "_cpus", lambda: 1)
    assert not engine._should_fork(10**6, None)


def test_every_format_has_a_renderer():
    people, works = many_works(copies=1)
    out = render_many(works, {fmt: ExportContext(people=people, data_date="2026-03-01") for fmt in FORMATS})
    assert list(out) == list(FORMATS)
