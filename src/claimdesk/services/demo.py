"""Load the demo desk: written in our own words, reused by `claimdesk demo` and the tests.

After the article and the library are in, some of the article's claims are taken through
the real review services by the demo reviewer and editor, so that every status (and every
screen that lists them) has something in it: one claim published with confirmed evidence,
one approved, one proposed, one returned with the editor's comment, one in review with a
suggested source, one dismissed; the rest stay new. Every rationale speaks only of what the
linked demo source says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from claimdesk.core.extraction import extract
from claimdesk.core.permissions import Role
from claimdesk.core.workflow import Status
from claimdesk.resources import fixtures_dir
from claimdesk.services import accounts, articles, evidence, matching, rating_scale, review, sources
from claimdesk.services.accounts import Principal
from claimdesk.services.claim_changes import load_claim
from claimdesk.services.events import SYSTEM, Actor
from claimdesk.store.models import Article, Claim, User

DEMO_ARTICLE = "demo-article.md"
DEMO_ARTICLE_URL = "https://demo.claimdesk.invalid/world/france-recalls-envoy-from-baku"


DEMO_DOMAIN = "demo.claimdesk.invalid"
DEMO_LIBRARY = (
    ("demo-sources.jsonl", "demo-library"),
    ("demo-factchecks.jsonld", "demo-fact-checks"),
)


@dataclass(frozen=True)
class DemoResult:
    articles_created: int
    claims_created: int
    sources_created: int = 0
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (email, password)
    claims_reviewed: int = 0  # claims the demo reviewer and editor took past "new"


@dataclass(frozen=True)
class DemoEvidence:
    """A library source to link, found by matching the claim's statement."""

    external_id: str
    stance: str
    note: str


@dataclass(frozen=True)
class DemoReview:
    """Where one demo claim (found by a phrase of its statement) ends up, and how."""

    phrase: str
    status: Status
    evidence: tuple[DemoEvidence, ...] = ()
    label: str | None = None
    rationale: str | None = None
    comment: str | None = None  # the editor's return note, the dismissal reason, or a note
    tags: tuple[str, ...] = ()
    claimant: str | None = None
    suggest: str | None = None  # a source the matching engine suggests, left unconfirmed


MINISTRY = "demo-src-5"
REFUGEES = "demo-src-2"
WAR_2020 = "demo-src-3"
DISSOLUTION = "demo-src-4"
RADARS = "demo-src-1"
RIFLES = "demo-src-6"
ARMS_FACT_CHECK = "https://demo.claimdesk.invalid/fact-checks/arms-sales-war"

DEMO_REVIEWS = (
    DemoReview(
        phrase="Anne Boillon, back to Paris",
        status=Status.PUBLISHED,
        evidence=(
            DemoEvidence(MINISTRY, "supports", "The ministry names the ambassador and the recall."),
        ),
        label="True",
        rationale=(
            "The French foreign ministry's statement in our library says it recalled its"
            " ambassador in Baku, Anne Boillon, to Paris for consultations. The name, the post"
            " and the reason for the trip all match the article."
        ),
        tags=("diplomacy", "france", "azerbaijan"),
    ),
    DemoReview(
        phrase="More than 100,000 ethnic Armenians",
        status=Status.APPROVED,
        evidence=(
            DemoEvidence(REFUGEES, "supports", "The UN refugee agency's count for the week after."),
        ),
        label="True",
        rationale=(
            "The library note on refugee arrivals reports the UN refugee agency's figure of more"
            " than 100,000 people crossing into Armenia in the week after the September 2023"
            " operation, and says almost all of the region's Armenians left. The claim gives"
            " the same figure, the same source and the same week."
        ),
        tags=("refugees", "nagorno-karabakh"),
    ),
    DemoReview(
        phrase="six-week war in 2020",
        status=Status.PROPOSED,
        evidence=(
            DemoEvidence(WAR_2020, "supports", "44 days of fighting; what Azerbaijan kept."),
            DemoEvidence(DISSOLUTION, "context", "The one-day offensive of September 2023."),
        ),
        label="Mostly true",
        rationale=(
            "Our note on the 2020 war puts the fighting at 44 days, about six weeks, and says"
            " Azerbaijan kept the districts around Nagorno-Karabakh and part of the region"
            " itself. The note on the separatists' dissolution confirms a one-day offensive in"
            " September 2023. 'Most of the territory' holds only if the surrounding districts"
            " are counted, so the wording is a little generous."
        ),
        tags=("nagorno-karabakh",),
    ),
    DemoReview(
        phrase="three GM200 radar systems",
        status=Status.RETURNED,
        claimant="the French defence ministry",
        evidence=(
            DemoEvidence(RADARS, "supports", "Three GM200 radars, contract of 23 October 2023."),
            DemoEvidence(RIFLES, "supports", "Armenia buys PGM precision rifles."),
        ),
        label="True",
        rationale=(
            "The library's note on the radar contract lists three GM200 radar systems for"
            " Armenia, signed in October 2023, and the PGM note confirms the rifle purchase."
        ),
        comment=(
            "The radar half checks out, but the PGM note gives no date, so nothing we hold"
            " supports '2024'. Find a dated source for the rifle contract, or pick a label"
            " that says that part is unchecked."
        ),
        tags=("arms sales",),
    ),
    DemoReview(
        phrase="fuel a new war",
        status=Status.IN_REVIEW,
        suggest=ARMS_FACT_CHECK,
        comment=(
            "This is Baku's view, quoted. Checking whether the quote is accurate; the earlier"
            " fact-check on arms sales and the 2023 offensive may give context."
        ),
    ),
    DemoReview(
        phrase="gloomier than ever",
        status=Status.DISMISSED,
        comment=(
            "Not check-worthy: an impression of the mood among unnamed diplomats, not a"
            " statement of fact anyone could check."
        ),
    ),
)
"""The demo's review walk; claims not listed here stay new."""


def load_demo_library(session: Session, *, actor: Actor) -> int:
    """The demo source library and earlier fact-checks; re-importing changes nothing."""
    created = 0
    for name, collection in DEMO_LIBRARY:
        path = fixtures_dir() / name
        report = sources.import_records(
            session,
            sources.iter_path(str(path)),
            collection=collection,
            actor=actor,
            origin=name,
        )
        if report.errors:
            raise ValueError(f"demo fixture {name} does not import: {report.errors[0]}")
        created += report.created
    return created


def create_demo_accounts(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """One account per role with a random password, only on a database without users."""
    if session.exec(select(User)).first() is not None:
        return []
    created = []
    for role in Role:
        email = f"{role.value}@{DEMO_DOMAIN}"
        password = accounts.generate_password()
        accounts.add_user(session, email=email, role=role.value, password=password, actor=actor)
        created.append((email, password))
    return created


def demo_article_stored(session: Session) -> bool:
    """Whether the demo article is in the desk already (a previous load)."""
    found = session.exec(select(Article.id).where(Article.url == DEMO_ARTICLE_URL)).first()
    return found is not None


def demo_person(session: Session, role: Role) -> Principal | None:
    """The demo account of ``role`` acting through a session, or None when it does not
    exist (the demo was loaded into a desk that had users already) or is disabled."""
    email = f"{role.value}@{DEMO_DOMAIN}"
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or user.id is None or user.disabled or user.role != role.value:
        return None
    return Principal(user.id, user.email, user.role, "session", user.id)


def _claim_for(claims: list[Claim], phrase: str) -> Claim:
    found = [c for c in claims if phrase in c.statement]
    if len(found) != 1:
        raise ValueError(f"demo fixture: {len(found)} demo claims say {phrase!r}, not one")
    return found[0]


def _library_match(session: Session, statement: str, external_id: str) -> matching.SourceMatch:
    """The demo source among the best matches for the claim's statement."""
    for found in matching.match(session, statement, limit=5):
        if found.external_id == external_id:
            return found
    raise ValueError(f"demo fixture: {external_id} is not among the matches for {statement!r}")


class _Walk:
    """One demo claim taken through the review services by the demo reviewer and editor."""

    def __init__(
        self, session: Session, claim_id: int, reviewer: Principal, editor: Principal
    ) -> None:
        self.session, self.claim_id = session, claim_id
        self.reviewer, self.editor = reviewer, editor

    @property
    def version(self) -> int:
        return load_claim(self.session, self.claim_id).row_version

    def act(self, action: str, who: Principal, **given: str | None) -> None:
        review.act(
            self.session,
            claim_id=self.claim_id,
            action=action,
            row_version=self.version,
            principal=who,
            **given,
        )

    def run(self, plan: DemoReview) -> None:
        if plan.status is Status.DISMISSED:
            self.act("dismiss", self.reviewer, comment=plan.comment)
            return
        self.act("start", self.reviewer)
        if plan.status is Status.IN_REVIEW:
            self.take_up(plan)
            return
        self.prepare(plan)
        self.act("propose", self.reviewer, label=plan.label, rationale=plan.rationale)
        if plan.status is Status.RETURNED:
            self.act("return", self.editor, comment=plan.comment)
        elif plan.status in (Status.APPROVED, Status.PUBLISHED):
            self.act("approve", self.editor)
            if plan.status is Status.PUBLISHED:
                self.act("publish", self.editor)

    def take_up(self, plan: DemoReview) -> None:
        """A claim in review: the engine's suggestion waits for a person; a working note."""
        statement = load_claim(self.session, self.claim_id).statement
        if plan.suggest:
            found = _library_match(self.session, statement, plan.suggest)
            evidence.suggest_evidence(
                self.session,
                claim_id=self.claim_id,
                source_id=found.source_id,
                passage_id=found.passage_id,
                score=found.score,
                match_start=found.match_start,
                match_end=found.match_end,
                actor=SYSTEM,
            )
        if plan.comment:
            review.add_comment(
                self.session,
                claim_id=self.claim_id,
                body=plan.comment,
                principal=self.reviewer,
                row_version=self.version,
            )

    def prepare(self, plan: DemoReview) -> None:
        """What the reviewer does before proposing: claimant, evidence, tags."""
        if plan.claimant:
            review.edit_claim(
                self.session,
                claim_id=self.claim_id,
                row_version=self.version,
                principal=self.reviewer,
                claimant=plan.claimant,
            )
        statement = load_claim(self.session, self.claim_id).statement
        for item in plan.evidence:
            found = _library_match(self.session, statement, item.external_id)
            evidence.link_evidence(
                self.session,
                claim_id=self.claim_id,
                source_id=found.source_id,
                passage_id=found.passage_id,
                stance=item.stance,
                note=item.note,
                principal=self.reviewer,
                row_version=self.version,
            )
        for tag in plan.tags:
            review.add_tag(
                self.session,
                claim_id=self.claim_id,
                name=tag,
                principal=self.reviewer,
                row_version=self.version,
            )


def review_demo_claims(session: Session, claims: list[Claim]) -> int:
    """Take the demo claims through review (see DEMO_REVIEWS) as the demo reviewer and
    editor; returns how many claims were reviewed. Does nothing (0) when either account is
    missing or disabled, when the active rating scale lacks a label the walk uses, or when
    any of the claims is already past ``new``.

    Raises ValueError when the demo fixtures no longer fit the walk (a claim or a source it
    names is not found); the review services' errors propagate.
    """
    reviewer = demo_person(session, Role.REVIEWER)
    editor = demo_person(session, Role.EDITOR)
    if reviewer is None or editor is None:
        return 0
    if any(c.status != Status.NEW for c in claims):
        return 0
    scale = rating_scale.active_scale(session)
    if any(p.label and scale.label_named(p.label) is None for p in DEMO_REVIEWS):
        return 0
    planned = [(_claim_for(claims, plan.phrase), plan) for plan in DEMO_REVIEWS]
    for claim, plan in planned:
        assert claim.id is not None
        _Walk(session, claim.id, reviewer, editor).run(plan)
    return len(planned)


def load_demo(session: Session, *, actor: Actor) -> DemoResult:
    """Load the demo content and accounts, and take some claims through review; a second
    call changes nothing.

    Raises ValueError when a demo fixture does not load or no longer fits the review walk.
    """
    demo_accounts = create_demo_accounts(session, actor=actor)
    # The library goes in before the article; once the article is stored the library is
    # too, and re-importing it would still log an import in the audit trail.
    sources_created = 0
    if not demo_article_stored(session):
        sources_created = load_demo_library(session, actor=actor)
    path = fixtures_dir() / DEMO_ARTICLE
    data = path.read_bytes()
    extraction = extract(data, filename=path.name, url=DEMO_ARTICLE_URL)
    result = articles.ingest(
        session,
        extraction=extraction,
        actor=actor,
        url=DEMO_ARTICLE_URL,
        raw=data,
        content_type="text/markdown",
    )
    if not result.created:
        return DemoResult(0, 0, sources_created, demo_accounts)
    reviewed = review_demo_claims(session, result.claims)
    return DemoResult(1, len(result.claims), sources_created, demo_accounts, reviewed)
