from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "fixtures" / "seed-article.txt"


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED} (../shared is not checked out)")
    return SEED.read_bytes()
