"""Alembic environment: always run with a connection handed in by ``analysis.storage.db.migrate``."""

from alembic import context

from analysis.storage.tables import all_tables

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=all_tables(),
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
