"""tevv: evaluation procedures, centre calendars, trials and results, gate overrides, risk register

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:18:46
"""
from alembic import op
import sqlalchemy as sa
import rapid_adoption.store.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision: the TEVV tables (see ``store/tables_tevv.py``)."""
    op.create_table('evaluation_procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=False),
    sa.Column('procedure_version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('example', sa.Boolean(), nullable=False),
    sa.Column('duration_weeks', sa.Integer(), nullable=False),
    sa.Column('test_domain', sa.String(length=40), nullable=True),
    sa.Column('required_capabilities', sa.JSON(), nullable=False),
    sa.Column('use_cases', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('distribution', sa.String(length=20), nullable=False),
    sa.Column('tlp', sa.String(length=20), nullable=False),
    sa.Column('releasable_to', sa.String(length=400), server_default='', nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('sharing_group_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], name=op.f('fk_evaluation_procedures_owner_org_id_organisations')),
    sa.ForeignKeyConstraint(['sharing_group_id'], ['sharing_groups.id'], name=op.f('fk_evaluation_procedures_sharing_group_id_sharing_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_procedures')),
    sa.UniqueConstraint('ref', 'procedure_version', name=op.f('uq_evaluation_procedures_ref'))
    )
    with op.batch_alter_table('evaluation_procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_procedures_owner_org_id'), ['owner_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_procedures_ref'), ['ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_procedures_sharing_group_id'), ['sharing_group_id'], unique=False)

    op.create_table('centre_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('capacity_per_week', sa.Integer(), nullable=True),
    sa.Column('blackout_weeks', sa.JSON(), nullable=False),
    sa.Column('capabilities', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['test_centres.id'], name=op.f('fk_centre_calendars_centre_id_test_centres'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_calendars')),
    sa.UniqueConstraint('centre_id', name=op.f('uq_centre_calendars_centre_id'))
    )
    op.create_table('case_risks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('risk_owner', sa.String(length=200), nullable=False),
    sa.Column('mitigations', sa.JSON(), nullable=False),
    sa.Column('likelihood_1_to_5', sa.Integer(), nullable=False),
    sa.Column('impact_1_to_5', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['adoption_cases.id'], name=op.f('fk_case_risks_case_id_adoption_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_risks'))
    )
    with op.batch_alter_table('case_risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_risks_case_id'), ['case_id'], unique=False)

    op.create_table('tevv_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('use_case', sa.String(length=60), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('decided_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['adoption_cases.id'], name=op.f('fk_tevv_overrides_case_id_adoption_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['procedure_id'], ['evaluation_procedures.id'], name=op.f('fk_tevv_overrides_procedure_id_evaluation_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tevv_overrides')),
    sa.UniqueConstraint('case_id', 'procedure_id', 'use_case', name=op.f('uq_tevv_overrides_case_id'))
    )
    with op.batch_alter_table('tevv_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tevv_overrides_case_id'), ['case_id'], unique=False)

    op.create_table('trials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=160), nullable=True),
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('use_cases', sa.JSON(), nullable=False),
    sa.Column('test_domain', sa.String(length=40), nullable=False),
    sa.Column('required_capabilities', sa.JSON(), nullable=False),
    sa.Column('duration_weeks', sa.Integer(), nullable=False),
    sa.Column('ready_on', sa.Date(), nullable=False),
    sa.Column('window_starts_on', sa.Date(), nullable=True),
    sa.Column('window_ends_on', sa.Date(), nullable=True),
    sa.Column('scheduled_by', sa.String(length=20), nullable=True),
    sa.Column('requested_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('scheduled_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('demonstration', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('distribution', sa.String(length=20), nullable=False),
    sa.Column('tlp', sa.String(length=20), nullable=False),
    sa.Column('releasable_to', sa.String(length=400), server_default='', nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('sharing_group_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['adoption_cases.id'], name=op.f('fk_trials_case_id_adoption_cases')),
    sa.ForeignKeyConstraint(['centre_id'], ['test_centres.id'], name=op.f('fk_trials_centre_id_test_centres')),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], name=op.f('fk_trials_owner_org_id_organisations')),
    sa.ForeignKeyConstraint(['procedure_id'], ['evaluation_procedures.id'], name=op.f('fk_trials_procedure_id_evaluation_procedures')),
    sa.ForeignKeyConstraint(['sharing_group_id'], ['sharing_groups.id'], name=op.f('fk_trials_sharing_group_id_sharing_groups')),
    sa.ForeignKeyConstraint(['solution_id'], ['solutions.id'], name=op.f('fk_trials_solution_id_solutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trials')),
    sa.UniqueConstraint('ref', name=op.f('uq_trials_ref'))
    )
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trials_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trials_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trials_owner_org_id'), ['owner_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trials_procedure_id'), ['procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trials_sharing_group_id'), ['sharing_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trials_solution_id'), ['solution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trials_status'), ['status'], unique=False)

    op.create_table('risk_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('likelihood_1_to_5', sa.Integer(), nullable=False),
    sa.Column('impact_1_to_5', sa.Integer(), nullable=False),
    sa.Column('score_1_to_25', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['risk_id'], ['case_risks.id'], name=op.f('fk_risk_scores_risk_id_case_risks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_risk_scores_trial_id_trials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_scores'))
    )
    with op.batch_alter_table('risk_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_scores_risk_id'), ['risk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_scores_trial_id'), ['trial_id'], unique=False)

    op.create_table('trial_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('use_case', sa.String(length=60), nullable=False),
    sa.Column('measured', sa.JSON(), nullable=False),
    sa.Column('score_1_to_10', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('outcome_reasons', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('recorded_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rapid_adoption.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trial_id'], ['trials.id'], name=op.f('fk_trial_results_trial_id_trials'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_results')),
    sa.UniqueConstraint('trial_id', 'use_case', name=op.f('uq_trial_results_trial_id'))
    )
    with op.batch_alter_table('trial_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_results_trial_id'), ['trial_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('trial_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_results_trial_id'))

    op.drop_table('trial_results')
    with op.batch_alter_table('risk_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_scores_trial_id'))
        batch_op.drop_index(batch_op.f('ix_risk_scores_risk_id'))

    op.drop_table('risk_scores')
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trials_status'))
        batch_op.drop_index(batch_op.f('ix_trials_solution_id'))
        batch_op.drop_index(batch_op.f('ix_trials_sharing_group_id'))
        batch_op.drop_index(batch_op.f('ix_trials_procedure_id'))
        batch_op.drop_index(batch_op.f('ix_trials_owner_org_id'))
        batch_op.drop_index(batch_op.f('ix_trials_centre_id'))
        batch_op.drop_index(batch_op.f('ix_trials_case_id'))

    op.drop_table('trials')
    with op.batch_alter_table('tevv_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tevv_overrides_case_id'))

    op.drop_table('tevv_overrides')
    with op.batch_alter_table('case_risks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_risks_case_id'))

    op.drop_table('case_risks')
    op.drop_table('centre_calendars')
    with op.batch_alter_table('evaluation_procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_procedures_sharing_group_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_procedures_ref'))
        batch_op.drop_index(batch_op.f('ix_evaluation_procedures_owner_org_id'))

    op.drop_table('evaluation_procedures')
