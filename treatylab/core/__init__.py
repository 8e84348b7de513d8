"""The base layer: what every package may import and which imports no other project package.

- `errors`: `UserError` (bad input a user can fix: one line, exit 2) and `CassetteMismatch`;
- `seeding`: derived seeds, so every random draw is a pure function of what it is about.

Layering (docs/architecture.md; tests/packaging/test_layers.py checks it):
core, prompts < scenarios < agents < evals < graphs < the app shell (`treatylab`).
"""
