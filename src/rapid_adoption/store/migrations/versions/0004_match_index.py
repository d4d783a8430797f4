"""match index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision: the persisted retrieval index (terms per record) and dense vectors per model."""
    op.create_table('match_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('record_version', sa.Integer(), nullable=False),
    sa.Column('title_terms', sa.Text(), nullable=False),
    sa.Column('body_terms', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_terms')),
    sa.UniqueConstraint('kind', 'record_id', name=op.f('uq_match_terms_kind'))
    )
    op.create_table('match_vectors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('record_version', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_vectors')),
    sa.UniqueConstraint('model', 'kind', 'record_id', name=op.f('uq_match_vectors_model'))
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('match_vectors')
    op.drop_table('match_terms')
