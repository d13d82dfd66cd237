import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# One switch for "the real tools and recordings must be here": CI sets PUBSYNC_REQUIRE_TOOLS=1 (.ci/run), and then a
# missing consumer tool (bibtex, Jekyll, Hugo, Chromium) or a missing ../shared/realdata fails its test instead of
# skipping it.
REQUIRED = os.environ.get("PUBSYNC_REQUIRE_TOOLS") == "1"


def realdata_dir() -> Path:
    return Path(os.environ.get("PUBSYNC_REALDATA") or REPO.parent / "shared" / "realdata")


def skip_or_fail(message: str) -> None:
    """Skip with `message` on a developer's machine; fail with it where PUBSYNC_REQUIRE_TOOLS=1 (CI)."""
    if REQUIRED:
        pytest.fail(f"{message} (PUBSYNC_REQUIRE_TOOLS=1: required here)")
    pytest.skip(message)


def need_tool(*names: str, install: str) -> str:
    """The path of the first of `names` on PATH; else a skip (or a failure in CI) naming the install command."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    skip_or_fail(f"{names[0]} is not installed ({install})")


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The shared real recordings (never copied into the repo)."""
    root = realdata_dir()
    if not (root / "api").is_dir():
        skip_or_fail(f"real recordings not found at {root} (set PUBSYNC_REALDATA or put shared/ beside the repo)")
    return root
