"""A desk for export tests: claims in every status, hostile text, a correction under way.

Everything goes through the real services (ingest, review, evidence, tags). The hostile
article's claims carry quotes, ``</script>``, newlines, spreadsheet formulas, bidi
controls and emoji in their statements, rationales, tags, evidence titles and notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from claimdesk.core.extraction import ClaimSpan, Extraction
from claimdesk.services import articles, evidence, review
from claimdesk.services.accounts import Principal
from claimdesk.services.events import SYSTEM
from tests.factories import add_person

SENTENCES = (
    'The mayor said "we will </script><script>alert(1)</script> win" on 3 March 2026.',
    "=cmd|' /C calc'!A0 is what the leaflet says about the 40% rise.",
    "The minister said \u202eevil\u202c numbers rose 12% 😀 in Yerevan & Baku.",
    "Turnout reached 55 percent, the commission said.",
    "Prices fell 3% in May, officials said.",
    "The bridge cost 2 million euros.",
    "The port handled 4 million containers.",
)
HOSTILE_TEXT = "😀 Intro: <b>bold</b> & more.\n\n" + "\n\n".join(SENTENCES)
HOSTILE_URL = "https://hostile.test/news/a?b=1&c=2"
STATEMENT = 'He said "</script><!-- x" & <b>bold</b>\nnew line =HYPERLINK("http://evil.test")'
RATIONALE = (
    "=cmd|' /C calc'!A0 — the record says otherwise.\n"
    'Quotes "like this", a closing </script> tag, RTL \u202eevil\u202c and 😀.\r\n@SUM(1+1)'
)
EVIDENCE_TITLE = "</script><script>alert('t')</script> report 😀"


@dataclass
class ExportDesk:
    """Claim ids by what happened to them, and the people who did it."""

    session: Session
    reviewer: Principal
    editor: Principal
    claims: dict[str, int] = field(default_factory=dict)
    uuids: dict[str, str] = field(default_factory=dict)
    article_id: int = 0

    def act(self, name: str, action: str, who: Principal, **given: Any) -> None:
        claim_id = self.claims[name]
        version = review.get_claim_detail(self.session, claim_id).claim.row_version
        review.act(
            self.session,
            claim_id=claim_id,
            action=action,
            row_version=version,
            principal=who,
            **given,
        )

    def link(self, name: str, *, url: str, title: str, stance: str, note: str) -> None:
        evidence.link_url_evidence(
            self.session,
            claim_id=self.claims[name],
            url=url,
            title=title,
            stance=stance,
            note=note,
            principal=self.reviewer,
        )

    def propose(self, name: str, label: str, rationale: str = RATIONALE) -> None:
        self.act(name, "start", self.reviewer)
        self.act(name, "propose", self.reviewer, label=label, rationale=rationale)


def _extraction() -> Extraction:
    spans = []
    for sentence in SENTENCES:
        start = HOSTILE_TEXT.index(sentence)
        spans.append(
            ClaimSpan(start, start + len(sentence), sentence, sentence, None, 0.9, ("quantity",))
        )
    return Extraction(
        title="Hostile </script> title & 😀",
        text=HOSTILE_TEXT,
        claims=spans,
        metadata={"publisher": "=Gazette \u202eevil\u202c"},
    )


NAMES = ("published", "approved", "corrected", "proposed", "returned", "in_review", "new")


def build(session: Session) -> ExportDesk:
    """The hostile article with one claim per name in NAMES (``corrected``: published, then
    a correction proposed and approved, not yet published)."""
    result = articles.ingest(
        session, extraction=_extraction(), actor=SYSTEM, url=HOSTILE_URL, min_score=0.0
    )
    desk = ExportDesk(session, add_person(session, "reviewer"), add_person(session, "editor"))
    desk.article_id = int(result.article.id)  # type: ignore[arg-type]
    for name, claim in zip(NAMES, result.claims, strict=False):
        desk.claims[name] = int(claim.id)  # type: ignore[arg-type]
        desk.uuids[name] = str(claim.uuid)
    for name in ("published", "approved", "corrected", "proposed", "returned"):
        version = review.get_claim_detail(session, desk.claims[name]).claim.row_version
        review.edit_claim(
            session,
            claim_id=desk.claims[name],
            row_version=version,
            principal=desk.reviewer,
            statement=f"{STATEMENT} [{name}]",
            claimant="=Councillor \u202eRuiz\u202c 😀",
        )
        review.add_tag(session, claim_id=desk.claims[name], name="=tag 😀", principal=desk.reviewer)
        desk.link(
            name,
            url=f"https://evidence.test/{name}?a=1&b=2",
            title=EVIDENCE_TITLE,
            stance="refutes",
            note="=note </script>\nline two",
        )
        desk.propose(name, "False")
    for name in ("published", "approved", "corrected"):
        desk.act(name, "approve", desk.editor)
    for name in ("published", "corrected"):
        desk.act(name, "publish", desk.editor)
    desk.act("corrected", "correct", desk.reviewer, label="Mostly false", rationale="Corrected.")
    desk.act("corrected", "approve", desk.editor)
    desk.act("returned", "return", desk.editor, comment="Needs a second source.")
    desk.act("in_review", "start", desk.reviewer)
    return desk
