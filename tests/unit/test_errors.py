"""The one exception tree: every error is an ArrearsError and says what to do."""

from __future__ import annotations

import pytest

from arrears.kernel import errors
from arrears.kernel.errors import (
    AccountFrozen,
    AprCapExceeded,
    ArrearsError,
    CaseLocked,
    ComplianceRefused,
    DateError,
    InvalidInput,
    KeyConflict,
    MoneyError,
    NotFound,
    OverLimit,
    ProductError,
    RulePackError,
    RuleViolation,
    ScenarioError,
    StoreError,
)

#: The tree drawn in the module docstring: each class and its arrears parent.
TREE: dict[type[ArrearsError], type[Exception]] = {
    InvalidInput: ArrearsError,
    MoneyError: InvalidInput,
    ProductError: InvalidInput,
    ScenarioError: InvalidInput,
    RulePackError: InvalidInput,
    DateError: InvalidInput,
    NotFound: ArrearsError,
    RuleViolation: ArrearsError,
    OverLimit: RuleViolation,
    AccountFrozen: RuleViolation,
    AprCapExceeded: RuleViolation,
    KeyConflict: RuleViolation,
    CaseLocked: RuleViolation,
    ComplianceRefused: RuleViolation,
    StoreError: ArrearsError,
}

ALL = [ArrearsError, *TREE]


def test_the_public_surface_is_the_tree() -> None:
    assert set(errors.__all__) == {cls.__name__ for cls in ALL}


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_error_is_an_arrears_error(cls: type[ArrearsError]) -> None:
    assert issubclass(cls, ArrearsError)
    assert issubclass(cls, Exception)


@pytest.mark.parametrize(("cls", "parent"), TREE.items(), ids=lambda c: c.__name__)
def test_each_error_sits_where_the_tree_draws_it(
    cls: type[ArrearsError], parent: type[Exception]
) -> None:
    arrears_bases = [b for b in cls.__mro__[1:] if issubclass(b, ArrearsError)]
    assert arrears_bases[0] is parent


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_error_is_drawn_in_the_docstring(cls: type[ArrearsError]) -> None:
    assert errors.__doc__ is not None
    assert cls.__name__ in errors.__doc__
    assert cls.__doc__


def test_the_tree_branches_do_not_cross() -> None:
    assert not issubclass(MoneyError, RuleViolation)
    assert not issubclass(OverLimit, InvalidInput)
    assert not issubclass(NotFound, InvalidInput)
    assert not issubclass(StoreError, (InvalidInput, NotFound, RuleViolation))


def test_invalid_input_is_a_value_error_and_not_found_a_lookup_error() -> None:
    assert issubclass(InvalidInput, ValueError)
    assert issubclass(MoneyError, ValueError)
    assert issubclass(NotFound, LookupError)
    assert not issubclass(RuleViolation, ValueError)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_str_is_the_message_then_the_hint(cls: type[ArrearsError]) -> None:
    made = cls("amount 600.00 is over the available line 500.00", hint="pay first")
    assert str(made) == "amount 600.00 is over the available line 500.00; pay first"
    assert made.message == "amount 600.00 is over the available line 500.00"
    assert made.hint == "pay first"
    assert made.args == ("amount 600.00 is over the available line 500.00",)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_str_without_a_hint_is_the_message(cls: type[ArrearsError]) -> None:
    made = cls("no account 'A1'")
    assert str(made) == "no account 'A1'"
    assert made.hint == ""


def test_the_hint_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        ArrearsError("message", "hint")  # type: ignore[misc]


def test_one_except_clause_catches_every_error() -> None:
    for cls in ALL:
        with pytest.raises(ArrearsError):
            raise cls("boom", hint="do something")
