"""Moving a test's database along the migration chain, in one transaction per move."""

from __future__ import annotations

from alembic import command

from pmcockpit.storage.db import Database, _alembic_config


def migrate(database: Database, revision: str) -> None:
    """Upgrade to ``"head"``, or downgrade to ``revision``."""
    config = _alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)
