"""Deterministic baseline policies: pure functions of a view (the turn seed is in the view)."""
