"""Use cases: check, load, apply the domain rules, save in one transaction."""
