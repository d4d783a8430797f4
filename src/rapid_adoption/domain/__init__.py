"""Pure domain rules and types for Rapid Adoption.

This package imports only the Python standard library: no database, no files, no network.
"""
