import codecs

import pytest

from resolutions.parsing import ParseError, decode_bytes

TEXT = "The General Assembly,\nRecalling its résolutions,\n1. Urges States to act;\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # no BOM
        TEXT.encode("latin-1"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "latin1", "cp1252"],
)
def test_decodes_common_encodings(data):
    assert decode_bytes(data) == TEXT


def test_windows_line_endings_become_newlines():
    assert decode_bytes(b"a\r\nb\rc") == "a\nb\nc"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfd", "UTF-8"),
    ],
)
def test_refuses_with_a_message_naming_the_problem(data, message):
    with pytest.raises(ParseError, match=message):
        decode_bytes(data)
