"""How Alembic reaches the chat's database.

Two ways in: the app's `capstone.db.migrate` hands over its own connection (already holding the
migration lock, and the only way into an in-memory SQLite); the `alembic` command opens one to
`CHAT_DATABASE_URL`, as the app would.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from capstone.db import adopt_create_all, hold_migration_lock, make_engine
from capstone.models import Base
from capstone.settings import Settings

config = context.config


def run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        hold_migration_lock(connection)
        adopt_create_all(context.get_context(), context.script)
        context.run_migrations()


async def run_from_the_command_line() -> None:
    engine = make_engine(Settings().database_url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    # `alembic upgrade head --sql`: the SQL to hand to a database administrator.
    context.configure(
        url=Settings().database_url, target_metadata=Base.metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_migrations(given)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    asyncio.run(run_from_the_command_line())
