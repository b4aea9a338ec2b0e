# ruff: noqa: E501
"""A small, unambiguous source library written for these tests (our own words)."""

from __future__ import annotations

CSV_LIBRARY = """id,title,text,url,publisher,published_at,rating
fc-1,Tram line costs,The new tram line in Riverton will cost 40 percent more than the council planned.,https://checks.test/tram,Desk Checks,2026-03-04,Mostly true
fc-2,Bridge closure,The Old Mill bridge closes for repairs every winter since 2019.,https://checks.test/bridge,Desk Checks,2026-01-10,False
fc-3,School meals,Free school meals were extended to 12000 more pupils in the northern district.,https://checks.test/meals,Desk Checks,2025-11-02,True
fc-4,Harbour pollution,Oil from the harbour dredging polluted the beach at Gull Point for three weeks.,https://checks.test/harbour,Desk Checks,2025-08-15,Misleading
fc-5,Library hours,The central library opens on Sundays only during school holidays.,https://checks.test/library,Desk Checks,2025-06-01,True
fc-6,Marathon route,The city marathon route avoids the tram line because of track repairs.,https://checks.test/marathon,Desk Checks,2025-05-20,Unproven
fc-7,Mayor salary,The mayor of Riverton earns more than the prime minister.,https://checks.test/salary,Desk Checks,2025-04-11,False
fc-8,Recycling rate,Riverton recycles 64 percent of household waste according to the 2024 report.,https://checks.test/recycling,Desk Checks,2025-03-30,True
"""

QUERY = "Is it true the Riverton tram line will cost 40 percent more than planned?"
BEST = "fc-1"

JSONL_LIBRARY = (
    '{"vclaim_id": "v-1", "vclaim": "A video shows a shark swimming on a flooded highway.", '
    '"title": "Highway shark video"}\n'
    '{"vclaim_id": "v-2", "vclaim": "Eating carrots improves night vision dramatically.", '
    '"title": "Carrots and eyesight"}\n'
    '{"vclaim_id": "v-3", "vclaim": "The Great Wall of China is visible from the Moon.", '
    '"title": "Great Wall from space"}\n'
)

CLAIMREVIEW_FEED = """{
  "@context": "https://schema.org",
  "@type": "DataFeed",
  "dataFeedElement": [
    {
      "@type": "ClaimReview",
      "url": "https://checks.test/review/1",
      "claimReviewed": "Lightning never strikes the same place twice.",
      "datePublished": "2025-02-01",
      "author": {"@type": "Organization", "name": "Desk Checks"},
      "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5,
                       "worstRating": 1, "alternateName": "False"},
      "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A Blogger"},
                       "appearance": [{"@type": "CreativeWork", "url": "https://blog.test/p"}]}
    },
    {
      "@type": "DataFeedItem",
      "item": {
        "@type": "ClaimReview",
        "url": "https://checks.test/review/2",
        "claimReviewed": "Goldfish have a memory of only three seconds.",
        "reviewRating": {"@type": "Rating", "ratingValue": "2", "alternateName": "Mostly false"}
      }
    }
  ]
}
"""
