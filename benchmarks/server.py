"""A real Streamlit server on a database, for the benchmarks and the browser tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]


def start_server(db_path: Path, port: int, **env: str) -> subprocess.Popen:
    """``streamlit run dashboard.py`` on ``db_path`` at 127.0.0.1:``port`` with extra
    environment ``env``; returns once the server answers its health check (90 s at most)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, "MONITORING_DB": str(db_path), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the Streamlit server did not start in 90 s")


async def served_page_run(
    port: int | str,
    page_name: str,
    query: dict[str, str],
    timeout: float,
    into: list[bytes] | None = None,
) -> int:
    """One session as a browser opens it: connect to the server's websocket, ask for a
    run of ``page_name`` with URL ``query``, read until the script has finished; returns
    the bytes received (each message appended to ``into`` where given). Raises on a
    refused or timed-out session. ``port`` is a port on 127.0.0.1, or the base URL of a
    deployment (``http://127.0.0.1:8080``: nginx in front of replicas)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    received = 0
    async with asyncio.timeout(timeout):
        base = port.rstrip("/") if isinstance(port, str) else f"http://127.0.0.1:{port}"
        origin = "/".join(base.split("/")[:3])
        async with connect(
            base.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            origin=origin,
            max_size=None,
        ) as ws:
            message = BackMsg()
            message.rerun_script.query_string = urlencode(query)
            message.rerun_script.page_name = page_name
            await ws.send(message.SerializeToString())
            while True:
                data = await ws.recv()
                received += len(data)
                if into is not None:
                    into.append(data)
                forward = ForwardMsg()
                forward.ParseFromString(data)
                if forward.WhichOneof("type") == "script_finished":
                    return received
