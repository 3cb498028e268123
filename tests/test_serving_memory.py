"""The server process gives large freed buffers back to the system (issue 18: serving memory)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_PROBE = """
import sys
from legiongraph.web.server import return_freed_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

fixed = return_freed_memory() if sys.argv[1] == "fixed" else None
first = b"x" * 20_000_000  # freeing it raises glibc's own threshold to 20 MB
del first
before = rss_mb()
answer = b"y" * 15_000_000  # an answer passing through the server
del answer
print(fixed, round(rss_mb() - before))
"""


def _kept_mb(mode: str) -> tuple[str, int]:
    done = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True,
                          check=True)
    fixed, kept = done.stdout.split()
    return fixed, int(kept)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_large_answer_freed_in_the_server_is_not_kept_in_its_heap():
    """Regression: named queries' answers grew the 1M server process from 65 to 195 MB PSS."""
    assert _kept_mb("dynamic")[1] >= 12  # glibc's default keeps the 15 MB
    assert _kept_mb("fixed") == ("True", 0)
