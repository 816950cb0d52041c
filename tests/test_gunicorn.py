"""gunicorn.conf.py, as ``make run`` serves with it: workers from the environment, no control socket in the
home folder, and a host that answers /healthz."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_serves_the_portal_with_its_configuration(app, tmp_path):
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PORT": str(port), "WORKERS": "2",
           "PORTAL_DATABASE_URL": app.config["DATABASE_URL"], "PORTAL_SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
           "PORTAL_SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"], "PORTAL_UPLOAD_DIR": app.config["UPLOAD_DIR"],
           "PORTAL_SECRET_KEY": "gunicorn-test", "XDG_RUNTIME_DIR": str(home)}
    server = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        answer = None
        deadline = time.monotonic() + 60
        while answer is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    answer = (response.status, json.loads(response.read()))
            except OSError:
                time.sleep(0.3)
        assert answer == (200, {"status": "ok", "database": "ok", "search": "ok"})
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(workers) == 2
        assert not any(home.rglob("*.ctl"))  # no control socket
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors
