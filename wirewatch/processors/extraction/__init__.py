"""Pure-Python extraction library: sentences, actors, near-duplicates (plain functions, no Faust)."""
