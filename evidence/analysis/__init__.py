"""Analysis of a case's records: people and their identifiers, counts and bursts, full-text search."""
