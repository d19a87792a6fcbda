"""The first schema: users, rooms, memberships, attachments, messages, mentions.

Today's models, with 64-bit ids and seqs. A database the old `create_all` made is stamped at this
revision instead (`capstone.db.adopt_create_all`): on PostgreSQL its ids may still be 32-bit.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here, not imported from the models: this revision must create the same tables forever.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def moment(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        moment("created_at"),
    )
    op.create_index("ix_users_username", "users", ["username"], unique=True)

    op.create_table(
        "rooms",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("next_seq", BigId, nullable=False),
        sa.Column("created_by", BigId, sa.ForeignKey("users.id"), nullable=True),
        moment("created_at"),
    )
    op.create_index("ix_rooms_name", "rooms", ["name"], unique=True)

    op.create_table(
        "memberships",
        sa.Column("user_id", BigId, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("room_id", BigId, sa.ForeignKey("rooms.id"), primary_key=True),
        moment("joined_at"),
    )

    op.create_table(
        "attachments",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("room_id", BigId, sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("uploader_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("stored_name", sa.String(64), nullable=False, unique=True),
        sa.Column("size", BigId, nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        moment("created_at"),
    )
    op.create_index("ix_attachments_room_id", "attachments", ["room_id"])

    op.create_table(
        "messages",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("room_id", BigId, sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("seq", BigId, nullable=False),
        sa.Column("author_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("client_msg_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        moment("sent_at"),
        sa.Column("attachment_id", BigId, sa.ForeignKey("attachments.id"), nullable=True),
        sa.UniqueConstraint("room_id", "seq", name="uq_messages_room_seq"),
        sa.UniqueConstraint("room_id", "author_id", "client_msg_id", name="uq_messages_client_id"),
    )

    op.create_table(
        "mentions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("user_id", BigId, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("message_id", BigId, sa.ForeignKey("messages.id"), nullable=False),
        moment("created_at"),
        sa.UniqueConstraint("user_id", "message_id", name="uq_mentions_user_message"),
    )
    op.create_index("ix_mentions_user_id", "mentions", ["user_id"])


def downgrade() -> None:
    for table in ("mentions", "messages", "attachments", "memberships", "rooms", "users"):
        op.drop_table(table)
