"""Inputs that must be refused clearly, or handled without surprises."""

from __future__ import annotations

import time

import pytest

from claimdesk.core.errors import MAX_INPUT_BYTES
from claimdesk.core.extraction import InputError, extract


@pytest.mark.parametrize("data", [b"", "", b"   \n\t  \r\n", "  \n\n  \t"])
def test_empty_and_whitespace_are_refused(data: bytes | str) -> None:
    with pytest.raises(InputError, match=r"empty|whitespace"):
        extract(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        bytes(range(256)) * 8,
        b"hello\x00world\x00\x01\x02",
    ],
)
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(InputError):
        extract(data)


def test_control_characters_only_is_refused() -> None:
    with pytest.raises(InputError):
        extract("\x01\x02\x03\x04\x05\x06\x07\x08" * 20)


def test_cp1252_is_detected_and_decoded() -> None:
    text = (
        "The café’s owner said the city’s budget rose to €1,200 million in 2023 — "
        "a record, according to the finance ministry. Naïve critics disagreed.\n"
    ) * 3
    result = extract(text.encode("cp1252"))
    assert "café’s" in result.text
    assert "€1,200 million" in result.text
    assert result.metadata["encoding"].lower().replace("-", "").replace("_", "") in (
        "cp1252",
        "windows1252",
    )


def test_latin1_html_with_declared_charset() -> None:
    html = (
        '<html><head><meta charset="iso-8859-1"><title>Élection</title></head><body><article>'
        "<p>Le président a annoncé que le déficit a atteint 5,5 % du PIB en 2023, selon "
        "le ministère des Finances à Paris.</p></article></body></html>"
    ).encode("latin-1")
    result = extract(html)
    assert "président" in result.text and "ministère" in result.text


def test_utf8_bom_and_utf16() -> None:
    text = "Unemployment fell to 3.5 percent in May 2024, the labour ministry said."
    assert extract(b"\xef\xbb\xbf" + text.encode()).text == text
    assert extract(text.encode("utf-16")).text == text


def test_too_large_is_refused_fast() -> None:
    big = b"a" * (50 * 1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(InputError, match="too large"):
        extract(big)
    with pytest.raises(InputError, match="too large"):
        extract("a" * (MAX_INPUT_BYTES + 1))
    assert time.perf_counter() - started < 1.0


def test_scripts_and_styles_never_reach_the_text() -> None:
    html = (
        "<html><head><style>body { color: red; } .secret { x: 1 }</style>"
        "<script>var secret = 'SCRIPTLEAK';</script></head><body>"
        "<script type='text/javascript'>document.write('SCRIPTLEAK2')</script>"
        "<article><h1>Budget passes</h1><p>The senate passed the budget by 52 votes to 48 on "
        "Tuesday, the clerk said.</p><noscript>NOSCRIPTLEAK</noscript>"
        "<p>Spending on schools rose by 12 percent compared with 2022, figures show.</p>"
        "<style>p { margin: 0 }</style></article></body></html>"
    )
    result = extract(html)
    for leak in ("SCRIPTLEAK", "color: red", "margin", "NOSCRIPTLEAK", "<", "document.write"):
        assert leak not in result.text
    assert "52 votes to 48" in result.text
    assert result.metadata["input_type"] == "html"


def test_very_long_line_is_not_quadratic() -> None:
    line = "word " * 40_000  # 200k characters, no punctuation, one line
    started = time.perf_counter()
    result = extract(line)
    assert time.perf_counter() - started < 20
    for c in result.claims:
        assert result.text[c.start : c.end] == c.quote


@pytest.mark.parametrize(
    "text",
    [
        "Cafe\u0301 owners said prices rose 12 percent in 2023. Another claim: 40 people died.",
        "قالت الوزارة إن 40 شخصا قتلوا في 2023. The ministry said 40 people died in 2023.",
        "הממשלה אמרה ש-40 אנשים נהרגו. The government said 40 people died in March 2023.",
        "👩‍👩‍👧‍👦 Families grew by 3 percent in 2022 🇫🇷, the statistics office said. 😀 ok.",
        "Ｆｕｌｌｗｉｄｔｈ text: the agency reported 1,200 cases in 2021 across ５ regions.",
    ],
)
def test_unusual_unicode_offsets(text: str) -> None:
    result = extract(text)
    assert result.claims
    for c in result.claims:
        assert 0 <= c.start < c.end <= len(result.text)
        assert result.text[c.start : c.end] == c.quote


def test_nul_and_controls_are_removed_from_str_input() -> None:
    result = extract("The army said 40\x00 soldiers\x07 died in 2020.\r\nSecond line is here now.")
    assert "\x00" not in result.text and "\x07" not in result.text and "\r" not in result.text
