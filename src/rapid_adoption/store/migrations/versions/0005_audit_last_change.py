"""audit head: the last entry that changed data

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 12:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``audit_head.last_change_id``: the id of the newest entry that changed data (not a token use or login)."""
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_change_id', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE audit_head SET last_change_id = last_id")


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('last_change_id')
