"""The form engine: versioned YAML definitions, safe expressions, validators and interview logic (no Flask, no DB)."""

from app.formdefs.check import check_paths
from app.formdefs.comparison import Change, changes, prefill_update
from app.formdefs.completion import (
    CompletionProblem,
    Progress,
    SectionProgress,
    completion_problems,
    is_answered,
    progress,
)
from app.formdefs.evaluation import Evaluation, evaluate, reads_answers, relevant_sections, validate_answer
from app.formdefs.expr import Expression, parse
from app.formdefs.expr_tokens import ExpressionError
from app.formdefs.expr_values import Context
from app.formdefs.flags import (
    Action,
    FiredFlag,
    fired_flags,
    may_change_flags,
    may_change_screen,
    pending_actions,
    redact,
)
from app.formdefs.keys import AnswerKey, answer_key, parse_key
from app.formdefs.loader import check_file, load_form
from app.formdefs.model import Choice, FlagRule, FormDefinition, LocalText, Question, Section
from app.formdefs.registry import FormRegistry, default_forms_dir
from app.formdefs.schema import FormDefinitionError, Problem
from app.formdefs.validators import Result, StorageError, display, from_storage, to_storage, validate

__all__ = [
    "Action",
    "AnswerKey",
    "Change",
    "Choice",
    "CompletionProblem",
    "Context",
    "Evaluation",
    "Expression",
    "ExpressionError",
    "FiredFlag",
    "FlagRule",
    "FormDefinition",
    "FormDefinitionError",
    "FormRegistry",
    "LocalText",
    "Problem",
    "Progress",
    "Question",
    "Result",
    "Section",
    "SectionProgress",
    "StorageError",
    "answer_key",
    "changes",
    "check_file",
    "check_paths",
    "completion_problems",
    "default_forms_dir",
    "display",
    "evaluate",
    "fired_flags",
    "from_storage",
    "load_form",
    "is_answered",
    "may_change_flags",
    "may_change_screen",
    "parse",
    "parse_key",
    "pending_actions",
    "prefill_update",
    "progress",
    "reads_answers",
    "redact",
    "relevant_sections",
    "to_storage",
    "validate",
    "validate_answer",
]
