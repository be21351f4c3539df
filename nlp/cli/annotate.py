"""`fichas annotate` (placeholder until the batch module lands)."""
