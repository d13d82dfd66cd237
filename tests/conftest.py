import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def realdata_dir() -> Path:
    return Path(os.environ.get("PUBSYNC_REALDATA") or REPO.parent / "shared" / "realdata")


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The shared real recordings (never copied into the repo). Skips when absent; .ci/run makes that a failure in CI."""
    root = realdata_dir()
    if not (root / "api").is_dir():
        pytest.skip(f"real recordings not found at {root} (set PUBSYNC_REALDATA or put shared/ beside the repo)")
    return root
