"""A throwaway PostgreSQL cluster for the tests, from Debian's ``postgresql`` package.

One cluster per test process (each xdist worker its own), on a free loopback port, in a
temporary folder removed at the end. As root the server runs as the ``postgres`` user
(``initdb`` refuses root). Each test gets a database of its own, copied from a template
already upgraded to the newest schema, and dropped after it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SERVER_USER = "postgres"
TEMPLATE = "pmcockpit_template"


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None when there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    folder: Path
    port: int
    bin: Path
    made: list[str] = field(default_factory=list)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str) -> None:
        """Run one statement as the superuser, outside a transaction."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SERVER_USER,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(statement.encode())

    def new_database(self, *, empty: bool = False) -> str:
        """A fresh database's URL: at the newest schema, or ``empty``."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        template = "template0" if empty else TEMPLATE
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.made.append(name)
        return self.url(name)

    def drop_made(self) -> None:
        while self.made:
            self.sql(f'DROP DATABASE IF EXISTS "{self.made.pop()}" WITH (FORCE)')

    def make_template(self) -> None:
        from pmcockpit.storage.db import open_database

        self.sql(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE template0')
        open_database(self.url(TEMPLATE)).dispose()

    def stop(self) -> None:
        subprocess.run(_as_server_user([str(self.bin / "pg_ctl"), "stop", "-m", "immediate",
                                        "-D", str(self.folder / "data")]),
                       capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb and start a cluster; raises RuntimeError when PostgreSQL is not installed."""
    bin_folder = binaries()
    if bin_folder is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="pmcockpit-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER)
    data = folder / "data"
    subprocess.run(_as_server_user([str(bin_folder / "initdb"), "-D", str(data), "-U",
                                    SERVER_USER, "--auth=trust", "-E", "UTF8",
                                    "--locale=C.UTF-8", "--no-sync"]),
                   capture_output=True, check=True)
    port = _free_port()
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    subprocess.run(_as_server_user([str(bin_folder / "pg_ctl"), "start", "-w", "-t", "120",
                                    "-D", str(data), "-l", str(folder / "log"),
                                    "-o", options]),
                   capture_output=True, check=True)
    cluster = Cluster(folder, port, bin_folder)
    try:
        cluster.make_template()
    except Exception:
        cluster.stop()
        raise
    return cluster


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
