"""The starter file `treatylab scenario new ID` writes: valid as is, commented for editing.

It is a small but real negotiation (3 parties, 3 issues, 27 packages) with a non-empty zone of
agreement whose Nash package is nobody's favourite, so `scenario check` on an untouched scaffold
reports no warnings and an author can change one thing at a time and re-check.
"""

from __future__ import annotations

import re
from string import Template

from treatylab.scenarios.loader import ScenarioError

SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_TEMPLATE = Template("""\
# yaml-language-server: $$schema=./scenario.schema.json
# A new treatylab scenario. Edit, then run:
#   treatylab scenario validate $path_hint
#   treatylab scenario check $path_hint
# Field reference: docs/scenarios.md; full schema: `treatylab scenario schema`.
schema_version: 1
id: $id                          # kebab-case; the file name should be <id>.yaml
title: $title
alliance_type: defense_pact      # defense_pact | political_military | limited_partnership | arms_control | peacekeeping
summary: >-
  One paragraph for the scenario list: who negotiates what, and where the tension lies.
background: |
  The public brief every delegation (and the mediator) reads. Describe the situation, the
  parties and each open issue in the words a delegate would use.
inspired_by:                     # real cases this stylises; keep figures illustrative
  - a real case this scenario stylises
sources: >-
  Where the texture comes from. States, figures and utilities are illustrative.
no_agreement_expected: false     # true only for a scenario built to have no zone of agreement
rules:
  max_rounds: 6                  # bargaining rounds before breakdown
  decision_rule: unanimity       # unanimity | qualified_majority
  majority_threshold: 3/4        # share that must sign, exact ("6/7"), for qualified_majority
                                 # (or min_signatories: 5, a count of parties)
  veto_parties: []               # parties whose signature is always required
  lead_party: alpha              # drafts when there is no mediator (default: largest capacity)
  implementation_periods: 3      # compliance periods after signature
parties:
  - id: alpha
    name: Republic of Alpha
    capacity: 0.5                # share of economic capacity; all parties sum to 1
    benefit: 0.2                 # share of the security benefit / exposure; sums to 1
    reservation: 40              # walk-away utility on the 0..100 scale (BATNA)
    style: boulware              # baseline concession style: boulware | linear | conceder
    persona: How this delegation talks, in public.
    private_brief: >-
      Confidential instructions only Alpha's delegate sees: motives, figures, limits.
    red_lines: []
  - id: beta
    name: Kingdom of Beta
    capacity: 0.3
    benefit: 0.3
    reservation: 40
    style: linear
    persona: How this delegation talks, in public.
    private_brief: >-
      Beta's parliament will never place its forces under integrated command (red line).
    red_lines:
      - {issue: command, forbid: [integrated]}
  - id: gamma
    name: Gamma Republic
    capacity: 0.2
    benefit: 0.5
    reservation: 40
    style: conceder
    persona: How this delegation talks, in public.
    private_brief: >-
      Gamma is most exposed and cannot pay equal shares.
    red_lines: []
issues:
  - id: burden
    title: Burden-sharing formula
    description: How the common costs are split.
    options:
      - id: equal
        label: Equal shares
        burden_shares: {alpha: 0.34, beta: 0.33, gamma: 0.33}   # sums to 1
      - id: capacity
        label: Capacity-proportional shares
        burden_shares: {alpha: 0.5, beta: 0.3, gamma: 0.2}
      - id: hybrid
        label: Half equal, half capacity
        burden_shares: {alpha: 0.42, beta: 0.315, gamma: 0.265}
  - id: command
    title: Peacetime command
    options:
      - {id: national, label: National command}
      - id: coordinated
        label: Coordinated planning
        sovereignty_cost: {alpha: 0.1, beta: 0.3, gamma: 0.2}   # 0..1 autonomy ceded
      - id: integrated
        label: Integrated command
        sovereignty_cost: {alpha: 0.2, beta: 0.7, gamma: 0.4}
  - id: verification
    title: Verification regime
    options:
      - {id: self_reporting, label: Self-reporting, trust_value: 0.2}     # 0..1
      - {id: peer_review, label: Peer review, trust_value: 0.5}
      - {id: inspections, label: Joint inspections, trust_value: 0.85}
# Additive points per party x issue x option. Each party's best package (its top option on
# every issue) must total exactly 100.
utilities:
  alpha:
    burden: {equal: 40, capacity: 0, hybrid: 25}
    command: {national: 0, coordinated: 20, integrated: 30}
    verification: {self_reporting: 0, peer_review: 15, inspections: 30}
  beta:
    burden: {equal: 15, capacity: 30, hybrid: 25}
    command: {national: 40, coordinated: 30, integrated: 0}
    verification: {self_reporting: 30, peer_review: 20, inspections: 0}
  gamma:
    burden: {equal: 0, capacity: 40, hybrid: 30}
    command: {national: 0, coordinated: 15, integrated: 30}
    verification: {self_reporting: 0, peer_review: 20, inspections: 30}
initial_trust:                   # optional; 0..1, default 0.5
  alpha: {beta: 0.6, gamma: 0.5}
shocks:                          # at least one; at_round (bargaining) and/or at_period (implementation)
  - id: border-incident
    at_round: 3
    public: What every party learns when the shock fires.
    reservation_delta: {gamma: -5}
  - id: budget-crisis
    at_period: 2
    public: A budget crisis tempts Beta to miss its commitments.
    defection_temptation: {beta: 0.4}
""")


def scaffold_text(scenario_id: str) -> str:
    """The starter YAML for `scenario_id`; raise ScenarioError if the id is not kebab-case."""
    if not SCENARIO_ID.match(scenario_id):
        raise ScenarioError(scenario_id, ["id: expected kebab-case (lower-case letters, digits and "
                                          "'-', starting with a letter or digit)"])
    title = scenario_id.replace("-", " ").title()
    return _TEMPLATE.substitute(id=scenario_id, title=title, path_hint=f"{scenario_id}.yaml")
