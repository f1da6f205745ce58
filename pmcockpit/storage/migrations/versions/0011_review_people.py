"""review: the people of each review summed, and the drift kept, for large reviews

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("drift", sa.JSON(), nullable=True))
    op.create_table(
        "review_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("department", sa.String(length=255), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("decided", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("settled", sa.Integer(), nullable=False),
        sa.Column("tools", sa.Integer(), nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"],
                                name=op.f("fk_review_person_review_id_review"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_person")),
    )
    op.create_index("ix_review_person_person", "review_person", ["review_id", "person"],
                    unique=True)
    op.create_index("ix_review_person_severity", "review_person",
                    ["review_id", "severity", "name"], unique=False)
    # The reviews kept so far, summed once, in each dialect's words for string aggregation.
    joined = "string_agg({0}, ' ')" if op.get_bind().dialect.name == "postgresql" \
        else "group_concat({0}, ' ')"
    op.execute(f"""
        INSERT INTO review_person (review_id, person, name, department, severity, accounts,
                                   decided, findings, settled, tools, search)
        SELECT review_id, person, min(name), coalesce(max(department), ''), max(severity),
               count(id), count(decision),
               sum(CASE WHEN severity > 0 THEN 1 ELSE 0 END),
               sum(CASE WHEN severity > 0 AND decision IS NOT NULL THEN 1 ELSE 0 END),
               count(DISTINCT connection),
               lower(person || ' ' || {joined.format("name")} || ' '
                     || {joined.format("login")})
        FROM review_item GROUP BY review_id, person
    """)


def downgrade() -> None:
    op.drop_index("ix_review_person_severity", table_name="review_person")
    op.drop_index("ix_review_person_person", table_name="review_person")
    op.drop_table("review_person")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("drift")
