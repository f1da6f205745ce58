"""audit log: outcomes link to their intent; entries say how their hash is made

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Entries written before this revision keep their plain sha256 chain ("legacy").
    # SQLite copies the table to add a foreign key: keep AUTOINCREMENT on the copy.
    with op.batch_alter_table("audit_entry", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("intent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chain", sa.String(length=16), server_default="sha256",
                                      nullable=False))
        batch_op.create_foreign_key(batch_op.f("fk_audit_entry_intent_id_audit_entry"),
                                    "audit_entry", ["intent_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_entry_intent_id_audit_entry"),
                                 type_="foreignkey")
        batch_op.drop_column("chain")
        batch_op.drop_column("intent_id")
