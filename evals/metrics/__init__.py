"""The built-in headline metrics, one module each, registered with `@metric`.

Every module in this package is imported by the registry (`treatylab.evals.registry`) before
the first evaluation, so a new metric is one new module here; nothing else names it. The
formulas live beside the data they read (`evals.trust`, `evals.burden`, `evals.sovereignty`);
these modules only say how a metric reads an episode. Definitions: docs/metrics.md.
"""
