"""Conditions -> durable JSON: the exact shapes the engine relies on."""

from __future__ import annotations

from simcancel import default_rules
from simcancel._compile import ALWAYS_FIELD, compile_condition, compile_ruleset
from simcancel._ruleset import AllOf, Always, AnyOf, Comparison, Op


def test_each_operator_compiles_to_its_durable_form() -> None:
    """eq is bare equality, ordered ops are $gt.., in/not_in expand (there is no $in)."""
    assert compile_condition(Comparison(fact="plan", op=Op.EQ, value="prepaid")) == {"plan": "prepaid"}
    assert compile_condition(Comparison(fact="balance", op=Op.GT, value=0)) == {"$gt": {"balance": 0}}
    assert compile_condition(Comparison(fact="plan", op=Op.NE, value="prepaid")) == {
        "$neq": {"plan": "prepaid"}
    }
    in_test = compile_condition(Comparison(fact="line_status", op=Op.IN, value=("active", "blocked")))
    assert in_test == {"$or": [{"line_status": "active"}, {"line_status": "blocked"}]}
    not_in = compile_condition(Comparison(fact="line_status", op=Op.NOT_IN, value=("active", "blocked")))
    assert not_in == {"$and": [{"$neq": {"line_status": "active"}}, {"$neq": {"line_status": "blocked"}}]}


def test_combinators_and_always() -> None:
    """all/any nest as $and/$or; always tests the engine-only field that every fact has."""
    gt = Comparison(fact="balance", op=Op.GT, value=0)
    assert compile_condition(AllOf(parts=(gt, Always()))) == {
        "$and": [{"$gt": {"balance": 0}}, {ALWAYS_FIELD: True}]
    }
    assert compile_condition(AnyOf(parts=(gt,))) == {"$or": [{"$gt": {"balance": 0}}]}


def test_a_ruleset_is_one_durable_rule_per_rule_id_on_fact_m() -> None:
    """Every rule id is a key; each has exactly one `all` of one `m` expression."""
    rules = default_rules()
    definition = compile_ruleset(rules)
    assert list(definition) == [rule.id for rule in rules.rules]
    assert all(
        list(body) == ["all"] and len(body["all"]) == 1 and list(body["all"][0]) == ["m"]
        for body in definition.values()
    )
