"""Which answers a fired flag names as its reason ("Na podstawie odpowiedzi: …").

A rule such as "suicidal_thoughts = true or suicide_plan = true" reads both questions; when the plan was
answered "Nie", naming it as a reason tells the worker something the person did not say. Only the parts of
the rule that are true name their answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.formdefs.evaluation import Evaluation, evaluate
from app.formdefs.expr import Expression
from app.formdefs.expr_nodes import Binary, Node
from app.formdefs.expr_values import Context, truthy
from app.formdefs.flags import FiredFlag
from app.formdefs.model import FormDefinition


def causes(
    form: FormDefinition, answers: Mapping[str, Any], flag: FiredFlag, *, evaluation: Evaluation | None = None
) -> list[str]:
    """The triggering answers that make the rule true: of an `or`, only the branches that hold.

    "thoughts or plan" with the plan answered "Nie" names the thoughts; with both "Tak" both; "food = false or
    medicines = false" with medicines available names the food only.
    """
    rule = next((r for r in form.flags if r.id == flag.rule_id), None)
    if rule is None:
        return list(flag.triggered_by)
    context = (evaluation or evaluate(form, answers)).context
    names: set[str] = set()
    for node in _true_parts(rule.when.root, context):
        names |= Expression("", node).references()
    named = [key for key in flag.triggered_by if _question_names(key) & names]
    return named or list(flag.triggered_by)


def _true_parts(node: Node, context: Context) -> list[Node]:
    """The sub-expressions that make a true `node` true (both sides of an `and`, the true sides of an `or`)."""
    if isinstance(node, Binary) and node.op == "or":
        return [part for side in (node.left, node.right) if truthy(side.evaluate(context))
                for part in _true_parts(side, context)]
    if isinstance(node, Binary) and node.op == "and":
        return _true_parts(node.left, context) + _true_parts(node.right, context)
    return [node]


def _question_names(key: str) -> set[str]:
    """How an answer key is named in expressions: `q`, or `group.q` and `q` for a member's answer."""
    parts = key.split(".")
    if len(parts) == 3:
        return {f"{parts[0]}.{parts[2]}", parts[2], parts[0]}
    return {key}
