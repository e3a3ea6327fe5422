"""Run N app replicas and nginx in front of them on loopback (a try-out, and the e2e test's rig).

``python -m deploy.local --replicas 2 --port 8080`` (with ``$DATABASE_URL`` set; ``run-local.sh``
starts a throwaway PostgreSQL first). nginx runs in the foreground (``daemon off``) from a temporary
prefix with the shipped site file, ``deploy/nginx/pep761-survey.conf``, whose replica lines and
listen port are substituted: what is tried here is what is deployed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(__file__).resolve().parent / "nginx" / "pep761-survey.conf"
#: The access log says which replica served each request ($upstream_addr), WebSocket included.
_LOG_FORMAT = '$remote_addr "$request" $status upstream=$upstream_addr sticky=$survey_sticky'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def site_config(replica_ports: Sequence[int], listen_port: int) -> str:
    """The shipped site file with these replicas and a loopback listen port."""
    text = SITE.read_text(encoding="utf-8")
    head, _, rest = text.partition("    # replicas: BEGIN\n")
    _, _, tail = rest.partition("    # replicas: END\n")
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in replica_ports)
    text = head + servers + tail
    return text.replace("    listen 80;", f"    listen 127.0.0.1:{listen_port};")


def nginx_config(replica_ports: Sequence[int], listen_port: int, prefix: Path) -> str:
    """A whole nginx.conf for an unprivileged, foreground nginx under ``prefix``."""
    temp = {name: prefix / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    return f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log notice;
events {{ worker_connections 256; }}
http {{
    log_format survey '{_LOG_FORMAT}';
    access_log {prefix}/access.log survey;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{site_config(replica_ports, listen_port)}
}}
"""


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
                if resp.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.3)


@dataclass
class Cluster:
    """What :func:`cluster` started: the proxy's URL, the replicas (port -> process), nginx's log."""

    url: str
    prefix: Path
    replicas: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    nginx: subprocess.Popen[bytes] | None = None

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    def replica_log(self, port: int) -> Path:
        return self.prefix / f"replica-{port}.log"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def cluster(
    database_url: str, replicas: int = 2, port: int | None = None, env: dict[str, str] | None = None
) -> Iterator[Cluster]:
    """Start ``replicas`` app servers on one database and nginx in front; stop them all after."""
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx_bin).exists():
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    with ExitStack() as stack:
        prefix = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="survey-nginx-")))
        base_env = {**os.environ, **(env or {}), "DATABASE_URL": database_url}
        base_env.setdefault("SURVEY_DATA_DIR", str(prefix / "var"))
        listen = port or free_port()
        started = Cluster(url=f"http://127.0.0.1:{listen}", prefix=prefix)
        for _ in range(replicas):
            rport = free_port()
            log = started.replica_log(rport).open("wb")
            stack.callback(log.close)
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    "app.py",
                    "--server.port",
                    str(rport),
                    "--server.address",
                    "127.0.0.1",
                    "--server.headless",
                    "true",
                ],
                cwd=ROOT,
                env=base_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(_stop, proc)
            started.replicas[rport] = proc
        for rport, proc in started.replicas.items():
            wait_healthy(f"http://127.0.0.1:{rport}/_stcore/health", proc, started.replica_log(rport))
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(list(started.replicas), listen, prefix), encoding="utf-8")
        nginx_log = (prefix / "nginx.out").open("wb")
        stack.callback(nginx_log.close)
        started.nginx = subprocess.Popen(
            [nginx_bin, "-p", str(prefix), "-c", str(conf)], stdout=nginx_log, stderr=subprocess.STDOUT
        )
        stack.callback(_stop, started.nginx)
        wait_healthy(f"{started.url}/_stcore/health", started.nginx, prefix / "error.log")
        yield started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="nginx's loopback port (default 8080)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)
    if not args.database_url:
        print("error: set DATABASE_URL (or use deploy/run-local.sh, which starts PostgreSQL)", file=sys.stderr)
        return 2
    if not 1 <= args.replicas <= 16:
        print("error: --replicas must be between 1 and 16", file=sys.stderr)
        return 2
    try:
        with cluster(args.database_url, args.replicas, args.port) as running:
            print(f"{running.url}  ({args.replicas} replicas: {', '.join(map(str, running.replicas))}; Ctrl-C stops)")
            print(f"nginx access log (which replica served what): {running.access_log}")
            signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
            assert running.nginx is not None
            running.nginx.wait()
    except KeyboardInterrupt:
        return 0
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
