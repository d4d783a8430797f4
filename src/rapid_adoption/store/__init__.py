"""Persistence: SQLAlchemy 2.x tables, the engine, the unit of work and Alembic migrations."""
