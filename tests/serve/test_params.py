"""Form field names nest the way platformOS (Rails) nests them."""

from __future__ import annotations

from posjobs.serve.params import nest


def test_plain_names_and_the_last_value_of_a_repeated_one():
    assert nest([("a", "1"), ("b", "2"), ("a", "3")]) == {"a": "3", "b": "2"}


def test_brackets_nest_hashes():
    pairs = [("order[sku]", "A1"), ("order[address][city]", "Oslo"), ("order[qty]", "2")]
    assert nest(pairs) == {"order": {"sku": "A1", "qty": "2", "address": {"city": "Oslo"}}}


def test_empty_brackets_collect_a_list():
    assert nest([("tags[]", "x"), ("tags[]", "y")]) == {"tags": ["x", "y"]}


def test_a_list_of_hashes_starts_a_new_hash_when_a_key_repeats():
    pairs = [("items[][sku]", "A"), ("items[][qty]", "1"),
             ("items[][sku]", "B"), ("items[][qty]", "2")]
    assert nest(pairs) == {"items": [{"sku": "A", "qty": "1"}, {"sku": "B", "qty": "2"}]}


def test_a_name_that_is_only_brackets_stays_as_it_is():
    assert nest([("[x]", "1")]) == {"[x]": "1"}
