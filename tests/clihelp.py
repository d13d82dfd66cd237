"""Run the installed `pubsync` console script as a user would: a real subprocess, a real exit code."""
import os
import shutil
import subprocess
import sys
from pathlib import Path


def pubsync_cmd() -> list[str]:
    exe = shutil.which("pubsync", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return [exe] if exe else [sys.executable, "-m", "pubsync"]


def run(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PUBSYNC_") or k == "PUBSYNC_REALDATA"}
    full_env.update(env or {})
    return subprocess.run(pubsync_cmd() + list(args), cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
