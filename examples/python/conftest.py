"""Fixtures for the PyMySQL example: one `mysql-tls-mock serve` with its control API per session.

Run from a clone after `npm ci`: `python3 -m pytest -q examples/python`. Needs Debian's
python3-pytest and python3-pymysql (PyMySQL 1.x).
"""

import json
import os
import re
import subprocess
import threading
import urllib.request

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(REPO, "bin", "mysql-tls-mock.js")
# `serve` prints this on stderr once the control API listens; with --control-port 0 it is the
# only place the chosen port is told.
CONTROL_URL = re.compile(r"^control API on (http://\S+)$")


class ControlApi:
    """A client for the control API (docs/control-api.openapi.json), standard library only."""

    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, method=method, data=data)
        with urllib.request.urlopen(request) as response:
            text = response.read().decode()
            return json.loads(text) if response.headers.get_content_type() == "application/json" else text

    def use_scenario(self, name):
        """Serves `name` to new connections and forgets earlier records."""
        self.call("PUT", "/scenario", {"name": name})
        self.call("DELETE", "/connections")

    def next_record(self, after=0):
        """The first finished record after connection `after`, waiting for it (long-poll)."""
        records = self.call("GET", f"/connections?after={after}&wait=10000")["connections"]
        assert records, "no connection was recorded"
        return records[0]


@pytest.fixture(scope="session")
def mock():
    """Starts `serve` on free ports; yields the control API client with `.mysql_port` and `.user`."""
    # Without the caller's MYSQL_TLS_MOCK_* variables, which would configure `serve` too.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYSQL_TLS_MOCK_")}
    process = subprocess.Popen(
        ["node", CLI, "serve", "--port", "0", "--control-port", "0"],
        cwd=REPO,
        env={**env, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = None
    seen = []
    for line in process.stderr:
        seen.append(line)
        match = CONTROL_URL.match(line.strip())
        if match:
            url = match.group(1)
            break
    if url is None:
        process.wait()
        raise RuntimeError("serve exited before its control API listened:\n" + "".join(seen))
    # Keep reading stderr so a full pipe never blocks the server.
    threading.Thread(target=process.stderr.read, daemon=True).start()
    api = ControlApi(url)
    health = api.call("GET", "/health")
    api.mysql_port = health["port"]
    api.user = api.call("GET", "/accounts")["accounts"][0]["user"]
    yield api
    process.terminate()
    process.wait()


@pytest.fixture
def ca_file(mock, tmp_path):
    """Writes the CA a correctly configured client trusts to a file: call it after `use_scenario`,
    since each scenario may serve another certificate set."""

    def write():
        path = tmp_path / "ca.pem"
        path.write_text(mock.call("GET", "/ca.pem"))
        return str(path)

    return write
