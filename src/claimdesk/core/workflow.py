"""The review workflow of a claim: which action leads from which status to which, and who
may take it. Pure rules; the services apply them to the database.

=========  =============================  ==========  ==========================
action     from                           to          who
=========  =============================  ==========  ==========================
start      new, returned                  in_review   reviewer, editor, admin
propose    in_review, returned            proposed    reviewer, editor, admin
approve    proposed                       approved    editor, admin
return     proposed, approved             returned    editor, admin
publish    approved                       published   editor, admin
dismiss    new, in_review, returned       dismissed   reviewer, editor, admin
reopen     dismissed                      in_review   reviewer, editor, admin
correct    published                      proposed    reviewer, editor, admin
=========  =============================  ==========  ==========================

- ``start`` takes a claim up (``new`` or ``returned`` → ``in_review``).
- ``propose`` needs a label and a rationale; a label that needs evidence needs at least one
  confirmed piece of evidence. From ``in_review``, or directly from ``returned``.
- ``approve`` and ``publish`` move the proposed verdict on; ``return`` sends a proposed or
  approved verdict back to the reviewer and needs the editor's comment.
- ``dismiss`` (not check-worthy, duplicate, …) needs a reason, given as the comment.
- ``reopen`` brings a dismissed claim back to ``in_review`` (not ``new``): whoever reopens it
  is taking it up, so it should not sit unowned in the queue.
- ``correct`` is a proposal made on a published claim: the claim goes back to ``proposed``
  with a new verdict that supersedes the published one once it is itself published; the old
  verdict stays published (and in the history) until then. It has the same rules as
  ``propose``, and is a separate action so that nobody corrects a published verdict by
  accident.

Who: reviewers start, propose, correct, dismiss and reopen; editors and admins can do all
of that and approve, return and publish; researchers can do none of it. The role is checked
before the status, so a role that may never take an action hears that (403) rather than a
remark about the status (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from claimdesk.core.permissions import Permission, allows


class Status(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    PROPOSED = "proposed"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETURNED = "returned"
    DISMISSED = "dismissed"


class Action(StrEnum):
    START = "start"
    PROPOSE = "propose"
    APPROVE = "approve"
    RETURN = "return"
    PUBLISH = "publish"
    DISMISS = "dismiss"
    REOPEN = "reopen"
    CORRECT = "correct"


class VerdictStep(StrEnum):
    """What happens to the claim's verdicts when an action is taken."""

    NONE = "none"  # no verdict changes
    PROPOSE = "propose"  # a new verdict, state "proposed" (superseding a published one)
    APPROVE = "approve"  # the proposed verdict becomes "approved"
    RETURN = "return"  # the proposed or approved verdict becomes "returned" (kept)
    PUBLISH = "publish"  # the approved verdict becomes "published"; one it supersedes,
    # "superseded"


class VerdictState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETURNED = "returned"
    SUPERSEDED = "superseded"


PERMISSION_FOR: dict[Action, Permission] = {
    Action.START: Permission.EDIT_CLAIMS,
    Action.DISMISS: Permission.EDIT_CLAIMS,
    Action.REOPEN: Permission.EDIT_CLAIMS,
    Action.PROPOSE: Permission.PROPOSE_VERDICT,
    Action.CORRECT: Permission.PROPOSE_VERDICT,
    Action.APPROVE: Permission.APPROVE_VERDICT,
    Action.RETURN: Permission.APPROVE_VERDICT,
    Action.PUBLISH: Permission.PUBLISH,
}
"""The permission each action needs (see ``core.permissions`` for who holds it)."""

_MOVES: dict[Action, tuple[frozenset[Status], Status, VerdictStep]] = {
    Action.START: (frozenset({Status.NEW, Status.RETURNED}), Status.IN_REVIEW, VerdictStep.NONE),
    Action.PROPOSE: (
        frozenset({Status.IN_REVIEW, Status.RETURNED}),
        Status.PROPOSED,
        VerdictStep.PROPOSE,
    ),
    Action.CORRECT: (frozenset({Status.PUBLISHED}), Status.PROPOSED, VerdictStep.PROPOSE),
    Action.APPROVE: (frozenset({Status.PROPOSED}), Status.APPROVED, VerdictStep.APPROVE),
    Action.RETURN: (
        frozenset({Status.PROPOSED, Status.APPROVED}),
        Status.RETURNED,
        VerdictStep.RETURN,
    ),
    Action.PUBLISH: (frozenset({Status.APPROVED}), Status.PUBLISHED, VerdictStep.PUBLISH),
    Action.DISMISS: (
        frozenset({Status.NEW, Status.IN_REVIEW, Status.RETURNED}),
        Status.DISMISSED,
        VerdictStep.NONE,
    ),
    Action.REOPEN: (frozenset({Status.DISMISSED}), Status.IN_REVIEW, VerdictStep.NONE),
}

_WHY_NOT: dict[Action, str] = {
    Action.START: "Only a new or returned claim can be taken into review.",
    Action.PROPOSE: (
        "A verdict can be proposed only for a claim in review or returned"
        " (start the review first; a published verdict is changed with 'correct')."
    ),
    Action.CORRECT: "Only a published verdict can be corrected.",
    Action.APPROVE: "Only a proposed verdict can be approved.",
    Action.RETURN: "Only a proposed or approved verdict can be returned.",
    Action.PUBLISH: "Only an approved verdict can be published.",
    Action.DISMISS: (
        "Only a claim that is new, in review or returned can be dismissed"
        " (return a proposed verdict first; correct a published one)."
    ),
    Action.REOPEN: "Only a dismissed claim can be reopened.",
}

EDITABLE = frozenset({Status.NEW, Status.IN_REVIEW, Status.RETURNED, Status.PROPOSED})
"""Statuses in which the claim itself (statement, claimant) may still be edited; once a
verdict is approved the claim it speaks about is fixed (correct the verdict instead)."""


class WorkflowError(Exception):
    """An action was refused; ``message`` is fit to show a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RoleNotAllowed(WorkflowError):
    """The caller's role may not take this action at all (HTTP 403)."""


class ActionRefused(WorkflowError):
    """The action does not apply to the claim's status, or its input is missing or wrong
    (HTTP 422)."""


@dataclass(frozen=True)
class ActionInput:
    """What a person sends with an action. ``comment`` is the editor's note when returning
    and the reason when dismissing. The caller looks up the rest: whether the chosen label
    needs evidence, whether the claim has confirmed evidence, and whether it has a published
    verdict (a claim whose correction was returned still has one: it cannot be dismissed)."""

    label: str | None = None
    rationale: str | None = None
    comment: str | None = None
    label_needs_evidence: bool = False
    has_confirmed_evidence: bool = False
    has_published_verdict: bool = False


@dataclass(frozen=True)
class Transition:
    status: Status
    verdict: VerdictStep


def parse_action(value: str) -> Action:
    """The action named ``value``; raises ActionRefused naming the actions there are."""
    try:
        return Action(value)
    except ValueError:
        names = ", ".join(a.value for a in Action)
        raise ActionRefused(f"Unknown action {value!r}: choose one of {names}.") from None


def may(role: str, action: Action) -> bool:
    """Whether ``role`` may ever take ``action``."""
    return allows(role, PERMISSION_FOR[action])


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _check_input(action: Action, given: ActionInput) -> None:
    if action in (Action.PROPOSE, Action.CORRECT):
        if _blank(given.label):
            raise ActionRefused("Choose a label for the verdict.")
        if _blank(given.rationale):
            raise ActionRefused("A verdict needs a rationale: say why the label fits.")
        if given.label_needs_evidence and not given.has_confirmed_evidence:
            raise ActionRefused(
                f"The label {given.label!r} needs evidence: confirm or link at least one"
                " source first."
            )
    elif action is Action.RETURN and _blank(given.comment):
        raise ActionRefused("Say what needs changing: returning a verdict needs a comment.")
    elif action is Action.DISMISS:
        if given.has_published_verdict:
            raise ActionRefused(
                "This claim has a published verdict: correct it rather than dismiss the claim."
            )
        if _blank(given.comment):
            raise ActionRefused("Give the reason for dismissing the claim (as the comment).")


def transition(status: str, action: str, role: str, given: ActionInput) -> Transition:
    """Where ``action`` by ``role`` leads a claim in ``status``, and what happens to its
    verdict.

    Raises RoleNotAllowed when the role may not take the action (whatever the status), and
    ActionRefused for an unknown action or status, an action that does not apply to the
    status, or missing/wrong input.
    """
    chosen = parse_action(action)
    if not may(role, chosen):
        raise RoleNotAllowed(f"Your role ({role}) may not {chosen.value} a claim.")
    try:
        current = Status(status)
    except ValueError:
        raise ActionRefused(f"The claim has an unknown status {status!r}.") from None
    sources, target, step = _MOVES[chosen]
    if current not in sources:
        raise ActionRefused(f"The claim is {current.value.replace('_', ' ')}. {_WHY_NOT[chosen]}")
    _check_input(chosen, given)
    return Transition(target, step)


def available_actions(status: str, role: str) -> list[Action]:
    """The actions ``role`` could take on a claim in ``status`` (input aside), in workflow
    order; for showing buttons."""
    return [
        action
        for action, (sources, _, _) in _MOVES.items()
        if status in sources and may(role, action)
    ]
