"""The services tests run on SQLite and on PostgreSQL (see tests/databases.py)."""

from tests.databases import backend, pg_cluster, pytest_generate_tests

__all__ = ["backend", "pg_cluster", "pytest_generate_tests"]
