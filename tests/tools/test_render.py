"""Values as a tool's text shows them: the same words whatever container or number type holds them."""

from pimelo_mcp.tools.render import EMPTY, shown, shown_change, shown_value


def test_each_kind_of_value_reads_as_plain_text() -> None:
    assert shown(None) == EMPTY
    assert shown(True) == "yes"
    assert shown(0) == "0"
    assert shown(4.1) == "4.1"
    assert shown("") == EMPTY
    assert shown(["red", 2, False]) == "red, 2, no"
    assert shown(("s", "m")) == "s, m"
    assert shown(frozenset(["x"])) == "x"
    assert shown([]) == EMPTY
    assert shown({"fr_FR": "Veste", "en_US": ["a", "b"]}) == "fr_FR: Veste; en_US: a, b"
    assert shown({}) == EMPTY


def test_a_change_quotes_text_but_not_numbers() -> None:
    assert shown_change("") == '""'
    assert shown_change(3) == "3"
    assert shown_change({"en_US": "Jacket"}) == 'en_US: "Jacket"'


def test_raw_values_read_one_part_per_scope() -> None:
    raw = [{"locale": "en_US", "channel": None, "data": 3}, {"locale": None, "data": None}]
    assert shown_value(raw) == f"en_US: 3; all: {EMPTY}"
    assert shown_value([]) == EMPTY
    assert shown_value(["s", "m"]) == "s, m"
