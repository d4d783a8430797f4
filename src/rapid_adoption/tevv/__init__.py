"""Testing that lowers risk: test domains, evaluation procedures, trials, the risk register and the trial scheduler.

Modules: ``test_domains`` (the normalised test-domain vocabulary), ``scheduler`` (CP-SAT and greedy trial
scheduling), ``procedures`` (evaluation-procedure files: YAML or JSON, errors with file, line and field) and ``weeks``
(the ISO weeks of the trial calendar). The pure rules are in :mod:`rapid_adoption.domain.tevv`, the tables in
:mod:`rapid_adoption.store.tables_tevv`, the use cases in ``services/tevv_*.py``. Import from the modules themselves.
"""
