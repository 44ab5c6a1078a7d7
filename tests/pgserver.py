"""A PostgreSQL server for the tests: the machine's, or a throwaway one.

When no server answers at the test URL (and POSJOBS_TEST_PG does not name one), a throwaway
server is started with the installed `initdb`/`pg_ctl` (`/usr/lib/postgresql/*/bin`) in a
temporary folder, on a free port of 127.0.0.1, and stopped at the end of the session. As
root, it runs as the `postgres` user (PostgreSQL refuses to run as root). When that cannot
be done either, the reason is returned and the PostgreSQL tests are skipped with it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

MACHINE_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def answers(url: str) -> str | None:
    """Why no server answers at `url`, or None when one does."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as err:
        return f"no PostgreSQL server at {url}: {str(err).strip().splitlines()[0]}"
    return None


class Throwaway:
    """A server of our own in a temporary folder."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.pg_ctl: str | None = None
        self.user_prefix: list[str] = []
        self.options = ""

    def start(self) -> tuple[str | None, str]:
        """(the URL, '') when started, else (None, why not)."""
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            return None, "no PostgreSQL server, and no initdb/pg_ctl installed to start one"
        bin_dir = Path(found[-1]).parent
        self.pg_ctl = str(bin_dir / "pg_ctl")
        self.folder = Path(tempfile.mkdtemp(prefix="posjobs-pg-"))
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                return None, "running as root with no `postgres` user to run a server as"
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.user_prefix = ["runuser", "-u", "postgres", "--"]
        port = _free_port()
        data = self.folder / "data"
        try:
            self._run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8")
            self.options = (f"-p {port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                            "-c fsync=off")
            self._run(self.pg_ctl, "-D", str(data), "-l", str(self.folder / "log"), "-w",
                      "-o", self.options, "start")
            self._run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                      "-U", "postgres", "test")
        except (OSError, subprocess.CalledProcessError) as err:
            self.stop()
            return None, f"no PostgreSQL server, and a throwaway one did not start: {err}"
        return f"postgresql://postgres@127.0.0.1:{port}/test", ""

    def down(self) -> None:
        """Stop the server (`-m fast`), keeping its data for `up`."""
        assert self.folder is not None and self.pg_ctl is not None
        self._run(self.pg_ctl, "-D", str(self.folder / "data"), "-w", "-m", "fast", "stop")

    def up(self) -> None:
        assert self.folder is not None and self.pg_ctl is not None
        self._run(self.pg_ctl, "-D", str(self.folder / "data"), "-l",
                  str(self.folder / "log"), "-w", "-o", self.options, "start")

    def restart(self) -> None:
        """Stop the server as an administrator's restart does (`-m fast`: every session is
        ended, its transaction rolled back) and start it again, waiting until it answers."""
        assert self.folder is not None and self.pg_ctl is not None
        self._run(self.pg_ctl, "-D", str(self.folder / "data"), "-l",
                  str(self.folder / "log"), "-w", "-m", "fast", "-o", self.options, "restart")

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.user_prefix, *argv], check=True, capture_output=True,
                       timeout=120, cwd=self.folder)

    def stop(self) -> None:
        if self.folder is None:
            return
        if self.pg_ctl and (self.folder / "data" / "postmaster.pid").exists():
            subprocess.run([*self.user_prefix, self.pg_ctl, "-D", str(self.folder / "data"),
                            "-m", "immediate", "stop"], capture_output=True, timeout=60,
                           cwd=self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
