"""matplotlib for the bench's plot scripts: re-executes the calling script inside bench/out/venv, creating the
venv and installing the pinned matplotlib from PyPI on first use."""
import os
import subprocess
import sys

MATPLOTLIB = "matplotlib==3.9.2"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "bench", "out", "venv")


def ensure_matplotlib():
    python = os.path.join(VENV, "bin", "python3")
    # sys.prefix, not the executable: the venv's python3 is a symlink to the system's.
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        if not os.path.exists(python):
            subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
            subprocess.run([python, "-m", "pip", "install", "-q", MATPLOTLIB], check=True)
        os.execv(python, [python] + sys.argv)
