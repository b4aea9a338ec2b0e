"""The review workflow, checked cell by cell against a table written out here by hand.

Each grid is one role: a row per claim status, a column per action. A cell is the status
the action leads to, ``403`` (the role may not) or ``422`` (not from this status).
"""

from __future__ import annotations

import pytest

from claimdesk.core.workflow import (
    Action,
    ActionInput,
    ActionRefused,
    RoleNotAllowed,
    Status,
    VerdictStep,
    available_actions,
    transition,
)

COLUMNS = ("start", "propose", "approve", "return", "publish", "dismiss", "reopen", "correct")

REVIEWER = """
new        in_review  422       403  403  403  dismissed  422        422
in_review  422        proposed  403  403  403  dismissed  422        422
proposed   422        422       403  403  403  422        422        422
approved   422        422       403  403  403  422        422        422
published  422        422       403  403  403  422        422        proposed
returned   in_review  proposed  403  403  403  dismissed  422        422
dismissed  422        422       403  403  403  422        in_review  422
"""

EDITOR = """
new        in_review  422       422       422       422        dismissed  422        422
in_review  422        proposed  422       422       422        dismissed  422        422
proposed   422        422       approved  returned  422        422        422        422
approved   422        422       422       returned  published  422        422        422
published  422        422       422       422       422        422        422        proposed
returned   in_review  proposed  422       422       422        dismissed  422        422
dismissed  422        422       422       422       422        422        in_review  422
"""

ADMIN = EDITOR  # admins can do everything editors can, and nothing more in the workflow

RESEARCHER = """
new        403  403  403  403  403  403  403  403
in_review  403  403  403  403  403  403  403  403
proposed   403  403  403  403  403  403  403  403
approved   403  403  403  403  403  403  403  403
published  403  403  403  403  403  403  403  403
returned   403  403  403  403  403  403  403  403
dismissed  403  403  403  403  403  403  403  403
"""

GRIDS = {"reviewer": REVIEWER, "editor": EDITOR, "admin": ADMIN, "researcher": RESEARCHER}

EXPECTED_STEP = {
    "start": VerdictStep.NONE,
    "propose": VerdictStep.PROPOSE,
    "correct": VerdictStep.PROPOSE,
    "approve": VerdictStep.APPROVE,
    "return": VerdictStep.RETURN,
    "publish": VerdictStep.PUBLISH,
    "dismiss": VerdictStep.NONE,
    "reopen": VerdictStep.NONE,
}

COMPLETE = ActionInput(label="False", rationale="The budget says 12 million.", comment="Why")


def _expected() -> dict[tuple[str, str, str], str]:
    table = {}
    for role, grid in GRIDS.items():
        rows = [line.split() for line in grid.strip().splitlines()]
        assert [row[0] for row in rows] == [s.value for s in Status]
        for status, *cells in rows:
            assert len(cells) == len(COLUMNS)
            for action, cell in zip(COLUMNS, cells, strict=True):
                table[(status, action, role)] = cell
    return table


EXPECTED = _expected()


def test_the_table_covers_every_status_action_and_role() -> None:
    assert set(COLUMNS) == {a.value for a in Action}
    assert len(EXPECTED) == len(Status) * len(Action) * 4


@pytest.mark.parametrize(("status", "action", "role"), sorted(EXPECTED))
def test_every_status_action_and_role(status: str, action: str, role: str) -> None:
    expected = EXPECTED[(status, action, role)]
    if expected == "403":
        with pytest.raises(RoleNotAllowed, match=role):
            transition(status, action, role, COMPLETE)
    elif expected == "422":
        with pytest.raises(ActionRefused) as refused:
            transition(status, action, role, COMPLETE)
        assert refused.value.message.startswith(f"The claim is {status.replace('_', ' ')}.")
    else:
        result = transition(status, action, role, COMPLETE)
        assert result.status == expected
        assert result.verdict == EXPECTED_STEP[action]


@pytest.mark.parametrize("role", sorted(GRIDS))
@pytest.mark.parametrize("status", [s.value for s in Status])
def test_available_actions_are_the_allowed_cells(status: str, role: str) -> None:
    allowed = [a for a in COLUMNS if EXPECTED[(status, a, role)] not in ("403", "422")]
    assert sorted(available_actions(status, role)) == sorted(allowed)


@pytest.mark.parametrize("action", ["propose", "correct"])
@pytest.mark.parametrize(
    ("given", "message"),
    [
        (ActionInput(label=None, rationale="why"), "Choose a label"),
        (ActionInput(label="  ", rationale="why"), "Choose a label"),
        (ActionInput(label="False", rationale=None), "needs a rationale"),
        (ActionInput(label="False", rationale=" \n "), "needs a rationale"),
        (
            ActionInput(label="False", rationale="why", label_needs_evidence=True),
            "'False' needs evidence",
        ),
    ],
)
def test_a_proposal_needs_label_rationale_and_evidence(
    action: str, given: ActionInput, message: str
) -> None:
    status = "published" if action == "correct" else "in_review"
    with pytest.raises(ActionRefused, match=message):
        transition(status, action, "reviewer", given)


def test_a_label_needing_evidence_is_fine_with_confirmed_evidence() -> None:
    given = ActionInput(
        label="False", rationale="why", label_needs_evidence=True, has_confirmed_evidence=True
    )
    assert transition("in_review", "propose", "reviewer", given).status == Status.PROPOSED


def test_a_label_not_needing_evidence_is_fine_without() -> None:
    given = ActionInput(label="Unverifiable", rationale="No record exists.")
    assert transition("returned", "propose", "reviewer", given).status == Status.PROPOSED


@pytest.mark.parametrize("comment", [None, "", "   "])
def test_returning_needs_a_comment(comment: str | None) -> None:
    with pytest.raises(ActionRefused, match="needs a comment"):
        transition("proposed", "return", "editor", ActionInput(comment=comment))


@pytest.mark.parametrize("comment", [None, "", "\t"])
def test_dismissing_needs_a_reason(comment: str | None) -> None:
    with pytest.raises(ActionRefused, match="reason"):
        transition("in_review", "dismiss", "reviewer", ActionInput(comment=comment))


def test_a_claim_with_a_published_verdict_cannot_be_dismissed() -> None:
    given = ActionInput(comment="Not needed after all", has_published_verdict=True)
    with pytest.raises(ActionRefused, match="correct it"):
        transition("returned", "dismiss", "editor", given)


def test_other_actions_need_no_input() -> None:
    assert transition("new", "start", "reviewer", ActionInput()).status == Status.IN_REVIEW
    assert transition("proposed", "approve", "editor", ActionInput()).status == Status.APPROVED
    assert transition("approved", "publish", "admin", ActionInput()).status == Status.PUBLISHED
    assert transition("dismissed", "reopen", "reviewer", ActionInput()).status == "in_review"


def test_unknown_action_status_or_role() -> None:
    with pytest.raises(ActionRefused, match="Unknown action 'delete'"):
        transition("new", "delete", "editor", COMPLETE)
    with pytest.raises(ActionRefused, match="unknown status"):
        transition("lost", "start", "editor", COMPLETE)
    with pytest.raises(RoleNotAllowed):
        transition("new", "start", "intern", COMPLETE)


def test_role_is_checked_before_status() -> None:
    # a reviewer may never approve: told so even where approving makes no sense anyway
    with pytest.raises(RoleNotAllowed):
        transition("dismissed", "approve", "reviewer", ActionInput())
