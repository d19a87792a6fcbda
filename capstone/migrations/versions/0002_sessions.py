"""Login sessions, and accounts that can be deleted.

Every login makes a row in `sessions`; its random `sid` is in the token, and a token whose row is
gone (logged out, or the account deleted) is refused on every worker. A deleted account keeps its
row, so its id is never handed out again and its messages keep their author: `deleted_at` marks it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here, not imported from the models: this revision must create the same table forever.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("users", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "sessions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("sid", sa.String(64), nullable=False),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sessions_sid", "sessions", ["sid"], unique=True)
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_index("ix_sessions_sid", table_name="sessions")
    op.drop_table("sessions")
    with op.batch_alter_table("users") as batch:  # SQLite cannot drop a column in place
        batch.drop_column("deleted_at")
