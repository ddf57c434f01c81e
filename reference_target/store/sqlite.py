"""The ``memory`` target's durable store: deployments and endpoints in one SQLite file.

``memory:///absolute/path/to/store.db`` names the file. It outlives the process, and any number
of processes (and threads) that name it share one store, with the same guarantees as the
in-process :class:`~reference_target.store.memory.MemoryStore`:

- Every store method is one SQLite transaction. Writes start with ``BEGIN IMMEDIATE``, so they
  take the file's write lock before they read anything: the check and the change of a
  read-modify-write step (a name in use, an endpoint that still holds deployments, a config
  merge) see no other writer in between. Reads run in a deferred transaction, one snapshot.
- The journal is in WAL mode: readers never wait for the writer, nor it for them, and a process
  that dies mid-write leaves the file as it was before that transaction.
- Waiting for the write lock is bounded by a busy timeout; names are UNIQUE columns, so of
  concurrent creates of one name exactly one inserts and the others get
  RESOURCE_ALREADY_EXISTS; a delete of a missing row deletes nothing and is no error.
- ``synchronous=NORMAL``: in WAL mode a crash of the process never loses a committed change
  and nothing can corrupt the file; only a power cut may undo the last few commits.

Models are not stored, only their URIs and flavors: a deployment read from the file carries a
:class:`~reference_target.model_cache.StoredModel`, which loads its model through the
per-process cache of :mod:`reference_target.model_cache`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import conformance.api as api
from reference_target.model_cache import StoredModel, forget_model, remember_model
from reference_target.store.errors import (
    deployment_exists,
    endpoint_exists,
    endpoint_in_use,
    no_deployment,
    no_endpoint,
)
from reference_target.store.protocol import DeploymentStore
from reference_target.store.records import READY, Deployment, Endpoint

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_SECONDS",
    "SCHEMA_VERSION",
    "SQLiteStore",
    "close_sqlite_store",
    "open_sqlite_store",
]

SCHEMA_VERSION = 1
APPLICATION_ID = 0x4D444353  # "MDCS" in the file header marks a memory target's store
BUSY_TIMEOUT_SECONDS = 30.0

_SCHEMA = (
    """CREATE TABLE endpoints (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        config TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    """CREATE TABLE deployments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        flavor TEXT NOT NULL,
        model_uri TEXT NOT NULL,
        config TEXT NOT NULL,
        endpoint TEXT REFERENCES endpoints (name) ON DELETE RESTRICT,
        state TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    "CREATE INDEX deployments_by_endpoint ON deployments (endpoint, seq)",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)
# seq (AUTOINCREMENT, never reused) keeps creation order, as the in-process store's dicts do.
_DEPLOYMENT_COLUMNS = "name, model_uri, flavor, config, endpoint"
_ENDPOINT_COLUMNS = "name, config"

_FORM = "Write memory:///<absolute path of a store file>, such as memory:///tmp/store.db"


def _keep_model(deployment: Deployment) -> None:
    """Cache a model the client just loaded, so this process never loads it again."""
    if not isinstance(deployment.model, StoredModel):
        remember_model(deployment.model_uri, deployment.flavor, deployment.model)


# -- the file ----------------------------------------------------------------------------------


def _bad_path(path: str, reason: str) -> api.MlflowException:
    return api.MlflowException(
        f"memory://{path} cannot hold a memory target store: {reason}. {_FORM}.",
        api.INVALID_PARAMETER_VALUE,
    )


def _check_path(path: str) -> None:
    """Refuse, before SQLite sees it, a path that cannot be a store file."""
    try:
        _check_file(Path(path))
    except OSError as error:  # such as a name longer than the file system takes
        raise _bad_path(
            path, f"the system cannot use it ({error.strerror}); name a shorter or other path"
        ) from None


def _check_file(file: Path) -> None:
    path = str(file)
    if not file.is_absolute():
        raise _bad_path(path, "the path is relative; give it from the root, starting with '/'")
    if file.is_dir():
        raise _bad_path(
            path, f"it is a directory; name a file in it, such as memory://{file / 'store.db'}"
        )
    if not file.parent.exists():
        raise _bad_path(path, f"the directory {file.parent} does not exist; create it first")
    if not file.parent.is_dir():
        raise _bad_path(path, f"{file.parent} is not a directory")
    if file.exists() and not file.is_file():
        raise _bad_path(path, "it is not a regular file")
    # WAL mode keeps two files beside the store (-wal and -shm): the directory must be writable.
    if not os.access(file.parent, os.W_OK | os.X_OK):
        raise _bad_path(path, f"the directory {file.parent} is not writable")
    if file.exists() and not os.access(file, os.R_OK | os.W_OK):
        raise _bad_path(path, "the file is not readable and writable")


def _busy_error(path: str, doing: str) -> api.MlflowException:
    """The store is fine but another process is writing to it: worth a retry, not a new file."""
    return api.MlflowException(
        f"The memory target store {path!r} is busy: another process held its write lock for "
        f"over {BUSY_TIMEOUT_SECONDS:g} s, so this call could not {doing}. Nothing was changed; "
        "retry once that process's write is done.",
        "TEMPORARILY_UNAVAILABLE",
    )


def _busy(error: sqlite3.Error) -> bool:
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error)
    )


# Connections a forked child inherited. SQLite forbids using them across fork(), and closing
# one in the child could drop the child's own locks on the file, so they are kept, unused.
_inherited: list[sqlite3.Connection] = []


class SQLiteStore(DeploymentStore):
    """A store in one SQLite file.

    Each thread gets its own connection, opened on first use. sqlite3 connections belong to
    the thread that opened them, and one connection per thread lets each thread run its own
    transactions: threads then contend exactly as processes do, through SQLite's file locks
    (readers never block in WAL mode). One shared connection behind a Python lock would
    serialise reads too and would hold that lock while waiting for other processes.
    """

    def __init__(self, path: str) -> None:
        _check_path(path)
        self.path = path
        self.namespace = path  # named in the errors the client and the store raise
        self._local = threading.local()
        try:
            self._initialise()
        except sqlite3.Error as error:
            self.close()
            if _busy(error):
                raise _busy_error(path, "open it") from error
            raise _bad_path(
                path, f"SQLite cannot use it ({error}); name a new file or an earlier store"
            ) from error
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    # -- connections and transactions ---------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; every one is begun explicitly here.
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        connection: sqlite3.Connection | None = getattr(local, "connection", None)
        if connection is not None and local.pid == os.getpid():
            return connection
        if connection is not None:
            _inherited.append(connection)
        local.connection, local.pid = self._connect(), os.getpid()
        return local.connection

    def _initialise(self) -> None:
        """Check a store made earlier without the write lock; create a new one with it."""
        connection = self._connection()
        # An existing store is only read: opening it must not wait for another process's
        # write, so a long write elsewhere never keeps a client from starting.
        if self._is_store(connection):
            return
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        # The journal mode cannot change inside a transaction, and changing it needs a moment
        # alone with the file: several processes opening a new file at once take turns.
        while connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            try:
                connection.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        # Written out rather than with _transaction(): here every SQLite error means the path
        # is unusable, which the caller reports as a bad target URI.
        connection.execute("BEGIN IMMEDIATE")
        try:
            if not self._is_store(connection, in_transaction=True):
                for statement in _SCHEMA:
                    connection.execute(statement)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _is_store(self, connection: sqlite3.Connection, in_transaction: bool = False) -> bool:
        """Whether the file already holds a WAL store of this version; an empty file is not,
        and a file of another kind or version raises."""
        if not in_transaction:
            connection.execute("BEGIN")
        try:
            application = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            if not in_transaction:
                connection.execute("COMMIT")
        if application == 0 and tables == 0:
            return False
        if application != APPLICATION_ID:
            raise _bad_path(
                self.path, "it is an SQLite database of another application; name a new file"
            )
        if version != SCHEMA_VERSION:
            raise _bad_path(
                self.path,
                f"it holds schema version {version}, and this version of the memory "
                f"target reads version {SCHEMA_VERSION}; name a new file",
            )
        return in_transaction or connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    @contextlib.contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sqlite3.Cursor]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        connection = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as error:
            raise self._failed(error) from error
        try:
            yield connection.cursor()
        except BaseException as raised:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            if isinstance(raised, sqlite3.Error):
                raise self._failed(raised) from raised
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise self._failed(error) from error

    def _failed(self, error: sqlite3.Error) -> api.MlflowException:
        if _busy(error):
            return _busy_error(self.path, "change it")
        return api.MlflowException(
            f"The memory target store {self.path!r} failed: {type(error).__name__}: {error} "
            "(check the file and its directory). Nothing was changed by this call.",
            api.INTERNAL_ERROR,
        )

    def close(self) -> None:
        """Close this thread's connection; other threads' close when those threads end."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            if self._local.pid == os.getpid():
                connection.close()
            else:
                _inherited.append(connection)
        self._local.connection = None

    # -- rows -----------------------------------------------------------------------------------

    @staticmethod
    def _deployment(row: tuple[Any, ...]) -> Deployment:
        name, model_uri, flavor, config, endpoint = row
        model = StoredModel(model_uri, flavor)
        return Deployment(name, model_uri, flavor, model, config.encode(), endpoint)

    @staticmethod
    def _endpoint(row: tuple[Any, ...]) -> Endpoint:
        name, config = row
        return Endpoint(name, config.encode())

    def _select_deployment(self, cursor: sqlite3.Cursor, name: str) -> Deployment | None:
        row = cursor.execute(
            f"SELECT {_DEPLOYMENT_COLUMNS} FROM deployments WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else self._deployment(row)

    def _select_endpoint(self, cursor: sqlite3.Cursor, name: str) -> Endpoint | None:
        row = cursor.execute(
            f"SELECT {_ENDPOINT_COLUMNS} FROM endpoints WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else self._endpoint(row)

    def _require_endpoint(self, cursor: sqlite3.Cursor, name: str) -> Endpoint:
        endpoint = self._select_endpoint(cursor, name)
        if endpoint is None:
            raise no_endpoint(self.namespace, name)
        return endpoint

    def _visible(self, cursor: sqlite3.Cursor, name: str, endpoint: str | None) -> Deployment:
        if endpoint is not None:
            self._require_endpoint(cursor, endpoint)
        deployment = self._select_deployment(cursor, name)
        if deployment is None or (endpoint is not None and deployment.endpoint != endpoint):
            raise no_deployment(self.namespace, name, endpoint)
        return deployment

    # -- deployments ----------------------------------------------------------------------------

    def find_deployment(self, name: str) -> Deployment | None:
        with self._transaction() as cursor:
            return self._select_deployment(cursor, name)

    def get_deployment(self, name: str, endpoint: str | None = None) -> Deployment:
        with self._transaction() as cursor:
            return self._visible(cursor, name, endpoint)

    def list_deployments(self, endpoint: str | None = None) -> list[Deployment]:
        with self._transaction() as cursor:
            if endpoint is None:
                rows = cursor.execute(
                    f"SELECT {_DEPLOYMENT_COLUMNS} FROM deployments ORDER BY seq"
                ).fetchall()
            else:
                self._require_endpoint(cursor, endpoint)
                rows = cursor.execute(
                    f"SELECT {_DEPLOYMENT_COLUMNS} FROM deployments WHERE endpoint = ? "
                    "ORDER BY seq",
                    (endpoint,),
                ).fetchall()
        return [self._deployment(row) for row in rows]

    def add_deployment(self, deployment: Deployment) -> None:
        now = time.time()
        with self._transaction(write=True) as cursor:
            if self._select_deployment(cursor, deployment.name) is not None:
                raise deployment_exists(self.namespace, deployment.name)
            if deployment.endpoint is not None:
                self._require_endpoint(cursor, deployment.endpoint)
            try:
                cursor.execute(
                    "INSERT INTO deployments (name, flavor, model_uri, config, endpoint, state, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        deployment.name,
                        deployment.flavor,
                        deployment.model_uri,
                        deployment.config_json.decode(),
                        deployment.endpoint,
                        READY,
                        now,
                        now,
                    ),
                )
            except sqlite3.IntegrityError:  # the UNIQUE name: the last word on who won
                raise deployment_exists(self.namespace, deployment.name) from None
        _keep_model(deployment)

    def change_deployment(
        self, name: str, endpoint: str | None, change: Callable[[Deployment], Deployment]
    ) -> Deployment:
        with self._transaction(write=True) as cursor:
            current = self._visible(cursor, name, endpoint)
            changed = change(current)
            if (changed.name, changed.endpoint) != (current.name, current.endpoint):
                raise ValueError("a change may not rename a deployment or move it")
            cursor.execute(
                "UPDATE deployments SET flavor = ?, model_uri = ?, config = ?, updated_at = ? "
                "WHERE name = ?",
                (
                    changed.flavor,
                    changed.model_uri,
                    changed.config_json.decode(),
                    time.time(),
                    name,
                ),
            )
        if (changed.model_uri, changed.flavor) != (current.model_uri, current.flavor):
            forget_model(current.model_uri, current.flavor)
        _keep_model(changed)
        return changed

    def remove_deployment(self, name: str, endpoint: str | None = None) -> bool:
        with self._transaction(write=True) as cursor:
            removed = self._select_deployment(cursor, name)
            if removed is None or (endpoint is not None and removed.endpoint != endpoint):
                return False
            cursor.execute("DELETE FROM deployments WHERE name = ?", (name,))
        # Dropped from the cache even if another deployment uses it: that one loads it again.
        forget_model(removed.model_uri, removed.flavor)
        return True

    # -- endpoints ----------------------------------------------------------------------------

    def find_endpoint(self, name: str) -> Endpoint | None:
        with self._transaction() as cursor:
            return self._select_endpoint(cursor, name)

    def get_endpoint(self, name: str) -> Endpoint:
        with self._transaction() as cursor:
            return self._require_endpoint(cursor, name)

    def list_endpoints(self) -> list[Endpoint]:
        with self._transaction() as cursor:
            rows = cursor.execute(
                f"SELECT {_ENDPOINT_COLUMNS} FROM endpoints ORDER BY seq"
            ).fetchall()
        return [self._endpoint(row) for row in rows]

    def add_endpoint(self, endpoint: Endpoint) -> None:
        now = time.time()
        with self._transaction(write=True) as cursor:
            try:
                cursor.execute(
                    "INSERT INTO endpoints (name, config, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?)",
                    (endpoint.name, endpoint.config_json.decode(), now, now),
                )
            except sqlite3.IntegrityError:
                raise endpoint_exists(self.namespace, endpoint.name) from None

    def change_endpoint(self, name: str, change: Callable[[Endpoint], Endpoint]) -> Endpoint:
        with self._transaction(write=True) as cursor:
            changed = change(self._require_endpoint(cursor, name))
            if changed.name != name:
                raise ValueError("a change may not rename an endpoint")
            cursor.execute(
                "UPDATE endpoints SET config = ?, updated_at = ? WHERE name = ?",
                (changed.config_json.decode(), time.time(), name),
            )
        return changed

    def remove_endpoint(self, name: str) -> bool:
        with self._transaction(write=True) as cursor:
            members = [
                row[0]
                for row in cursor.execute(
                    "SELECT name FROM deployments WHERE endpoint = ? ORDER BY seq", (name,)
                )
            ]
            if members:
                raise endpoint_in_use(self.namespace, name, members)
            cursor.execute("DELETE FROM endpoints WHERE name = ?", (name,))
            return cursor.rowcount > 0

    def clear(self) -> None:
        with self._transaction(write=True) as cursor:
            cursor.execute("DELETE FROM deployments")
            cursor.execute("DELETE FROM endpoints")


# -- one store object per file and process ---------------------------------------------------

_stores: dict[str, SQLiteStore] = {}
_stores_lock = threading.Lock()


def _key(path: str) -> str:
    # Two spellings of one file (a symlink, '..') must share one store object.
    return os.path.realpath(path)


def open_sqlite_store(path: str) -> SQLiteStore:
    """The store kept in the file at ``path``, opened (and created) on first use."""
    key = _key(path)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = SQLiteStore(path)
        return store


def close_sqlite_store(path: str) -> None:
    """Forget this process's handle on ``path``; the file and what it holds stay."""
    with _stores_lock:
        store = _stores.pop(_key(path), None)
    if store is not None:
        store.close()
