"""The LLM judge (off by default): rubric scores with quoted evidence from two or more judge
models, and Krippendorff's alpha between them. Run it with `treatylab judge RUN_DIR`.

Formulas and conventions: docs/metrics.md, "LLM judge".
"""

from treatylab.evals.judge.baseline import baseline_answer
from treatylab.evals.judge.panel import judge_transcript, parse_judge_specs
from treatylab.evals.judge.record import judge_messages, judge_record, record_from_messages
from treatylab.evals.judge.schema import CRITERIA, JudgeAnswer, JudgeReport, JudgeScore

__all__ = [
    "CRITERIA", "JudgeAnswer", "JudgeReport", "JudgeScore", "baseline_answer",
    "judge_messages", "judge_record", "judge_transcript", "parse_judge_specs",
    "record_from_messages",
]
