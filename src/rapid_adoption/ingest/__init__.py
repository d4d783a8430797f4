"""Readers for each real data source, and the generic CSV/JSON importer.

Readers parse and validate; they never write. :mod:`rapid_adoption.services.imports` writes what
they return in one transaction.
"""
