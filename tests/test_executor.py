"""Queries run in worker processes that are killed at the time limit, never left running."""

from __future__ import annotations

import os
import time

import pytest

from legiongraph.errors import QueryTimeout
from legiongraph.formats import RESULT_FORMATS
from legiongraph.query.executor import InlineExecutor, ProcessExecutor
from legiongraph.query.service import prepare

JSON = RESULT_FORMATS[0]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://schema.org/Country> }"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child that was reaped is gone; a zombie would still answer kill(0)
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split()[2] != "Z"


@pytest.fixture
def executor(served_config):
    ex = ProcessExecutor(served_config, workers=2, timeout=1.5, wait=5)
    yield ex
    ex.close()


def test_fast_query_is_answered_by_a_worker(executor):
    import json

    answer = executor.run(prepare(FAST, result_format=JSON))
    assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == "249"


def test_query_past_the_limit_is_killed_and_its_worker_replaced(executor):
    before = executor.pids
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"ran past the 1\.5 s time limit and was stopped"):
        executor.run(prepare(SLOW, result_format=JSON))
    assert time.monotonic() - started < 10
    after = executor.pids
    assert len(after) == 2
    killed = set(before) - set(after)
    assert len(killed) == 1
    assert not any(_alive(pid) for pid in killed)
    # the pool still answers
    assert executor.run(prepare(FAST, result_format=JSON)).rows == 1


def test_close_leaves_no_worker_behind(served_config):
    ex = ProcessExecutor(served_config, workers=3, timeout=5)
    pids = ex.pids
    assert len(pids) == 3
    ex.close()
    assert ex.pids == []
    assert not any(_alive(pid) for pid in pids)


def test_inline_executor_answers_in_process(oxigraph_store):
    answer = InlineExecutor(oxigraph_store).run(prepare(FAST, result_format=JSON))
    assert answer.rows == 1


def _cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_a_steady_stream_of_queries_is_answered_by_the_warm_worker(executor):
    # Last in, first out: the worker that answered last answers next, so its caches stay warm
    # and the idle one stays small (it used to be round-robin: every query met a colder worker).
    executor.run(prepare(FAST, result_format=JSON))
    first = executor._take()
    executor._idle.put(first)
    before = {pid: _cpu_ticks(pid) for pid in executor.pids}
    for _ in range(50):
        assert executor.run(prepare(FAST, result_format=JSON)).rows == 1
    assert executor._take() is first
    grew = {pid for pid in executor.pids if _cpu_ticks(pid) > before[pid]}
    assert grew == {first.process.pid}
