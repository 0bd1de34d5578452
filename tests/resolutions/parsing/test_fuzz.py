"""Whatever the input, the importer returns a result or raises its own error type."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolutions.parsing import ParsedDocument, ParseError, decode_bytes, parse_text

SEED = (
    Path(__file__).resolve().parents[3]
    / "resolutions"
    / "fixtures"
    / "seeds"
    / "ipu-145-kigali-2022-migration-trafficking.md"
).read_text(encoding="utf-8")

FRAGMENTS = st.sampled_from(
    [
        "The General Assembly,",
        "Recalling its resolutions,",
        "1. Urges States to act;",
        "(a) Calls upon parliaments;",
        "* Hungary and Indonesia on the entire resolution.",
        "<sup>6</sup> Ibid.",
        "23-21882 **3/14**",
        "Resolution adopted by the 145th IPU Assembly (Kigali, 15 October 2022)",
        "by the 149th Assembly",
        "*Noting*",
        "",
        "\n",
    ]
)


def _parse_or_refuse(text: str) -> None:
    try:
        result = parse_text(text)
    except ParseError as error:
        assert str(error)
    else:
        assert isinstance(result, ParsedDocument)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_any_text(text):
    _parse_or_refuse(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(FRAGMENTS | st.text(max_size=80), max_size=40))
def test_shuffled_resolution_fragments(pieces):
    _parse_or_refuse("\n".join(pieces))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=len(SEED)), st.integers(min_value=0, max_value=len(SEED)))
def test_any_slice_of_a_real_resolution(start, end):
    _parse_or_refuse(SEED[min(start, end) : max(start, end)])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes(data):
    try:
        text = decode_bytes(data)
    except ParseError:
        return
    _parse_or_refuse(text)
