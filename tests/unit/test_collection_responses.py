"""Simulated borrowers' responses to collection actions: deterministic, and moved by situation
and treatment the way strategies need them to be (counted over many seeded borrowers)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from arrears.kernel.errors import InvalidInput
from arrears.simulation.responses import Approach, Response, Standing, respond

DAY = date(2026, 2, 9)
CALL = Approach("call", "m1-call-1", DAY)
SEEDS = range(4000)


def responses(standing: Standing, approach: Approach = CALL) -> list[Response]:
    return [respond(standing, approach, seed=seed) for seed in SEEDS]


def count(made: list[Response], what: str) -> int:
    return sum(bool(getattr(r, what)) for r in made)


def able(**changes: object) -> Standing:
    values: dict[str, object] = {"cash_minor": 300_000, "overdue_minor": 50_000, "willingness": 0.8}
    return Standing(**(values | changes))  # type: ignore[arg-type]


def test_the_same_seed_gives_the_same_response_and_seeds_differ() -> None:
    standing = able()
    assert responses(standing) == responses(standing)
    outcomes = Counter(r.outcome for r in responses(standing))
    assert {"no_answer", "promise", "paid", "refused_to_pay"} <= set(outcomes)


def test_more_willing_borrowers_promise_and_pay_more() -> None:
    reluctant, willing = responses(able(willingness=0.2)), responses(able(willingness=0.95))
    assert count(willing, "promise_minor") > 1.3 * count(reluctant, "promise_minor")
    assert count(willing, "pay_minor") > 1.3 * count(reluctant, "pay_minor")
    kept = [r.keeps for r in willing if r.promise_minor]
    assert sum(kept) > 0.8 * len(kept)


def test_more_contacts_in_the_week_bring_more_complaints() -> None:
    calm, pressed = responses(able(contacts_last_7_days=0)), responses(able(contacts_last_7_days=8))
    assert count(pressed, "complains") > 3 * max(1, count(calm, "complains"))
    assert count(pressed, "answered") < count(calm, "answered")  # avoidance


def test_a_harsh_treatment_brings_more_complaints() -> None:
    harsh = Approach("call", "m2-supervisor-call", DAY, harsh=True)
    assert count(responses(able(), harsh), "complains") > 2 * count(responses(able()), "complains")


def test_a_call_moves_more_borrowers_than_an_email() -> None:
    email = Approach("email", "m1-email-1", DAY)
    moved = ("promise_minor", "pay_minor")
    by_call = sum(count(responses(able()), w) for w in moved)
    by_email = sum(count(responses(able(), email), w) for w in moved)
    assert by_call > 2 * by_email


def test_a_shocked_borrower_without_cash_agrees_to_plans_and_cannot_pay_now() -> None:
    shocked = responses(able(cash_minor=5_000, shocked=True))
    assert count(shocked, "pay_minor") == 0
    assert count(shocked, "accepts_plan") > 0
    assert count(responses(able()), "accepts_plan") == 0  # who can pay is offered no plan
    promised = [r for r in shocked if r.promise_minor]
    assert promised and all(r.promise_minor <= 50_000 for r in promised)
    assert sum(r.keeps for r in promised) < 0.6 * len(promised)


def test_amounts_and_dates_stay_within_the_borrowers_means() -> None:
    for r in responses(able(cash_minor=20_000)):
        assert 0 <= r.pay_minor <= 20_000 and 0 <= r.promise_minor <= 50_000
        assert (r.promise_on is None) == (r.promise_minor == 0)
        assert r.promise_on is None or DAY < r.promise_on <= date(2026, 2, 19)
        assert r.answered or (r.pay_minor, r.promise_minor, r.accepts_plan) == (0, 0, False)
    assert count(responses(able(overdue_minor=0)), "promise_minor") == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: able(willingness=1.5), "willingness 1.5 is outside 0 to 1"),
        (lambda: able(overdue_minor=-1), "overdue_minor -1"),
        (lambda: Approach("fax", "t", DAY), "channel 'fax' is not one"),
    ],
)
def test_bad_input_is_refused_naming_the_field(make: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        make()  # type: ignore[operator]


def test_a_simulated_borrowers_standing_follows_their_situation() -> None:
    import random

    from arrears.domain.catalogue import default_catalogue
    from arrears.simulation.behaviour import Agent
    from arrears.simulation.borrowers import BookWindow, draw_book
    from arrears.simulation.economy import Economy
    from arrears.simulation.responses import standing_of

    window = BookWindow(date(2025, 7, 1), date(2026, 1, 1), date(2026, 6, 30))
    payers = [(b, a) for b, a in draw_book(random.Random(7), 40, window, default_catalogue(), "D7")
              if not b.never_pays]  # fmt: skip
    agent = Agent(*payers[0], Economy())
    calm = standing_of(agent, 10_000, 3)
    assert (calm.cash_minor, calm.overdue_minor, calm.contacts_last_7_days) == (
        agent.sit.cash_minor, 10_000, 3,
    )  # fmt: skip
    assert 0.35 <= calm.willingness <= 0.95 and not calm.shocked
    agent.sit.shock = "illness"
    assert standing_of(agent, 10_000, 3).willingness == pytest.approx(calm.willingness / 2)
    agent.sit.willing = False
    assert standing_of(agent, 10_000, 3).willingness == pytest.approx(0.075)


def test_the_runs_borrowers_pay_unprompted_now_and_then_when_able() -> None:
    from arrears.domain.catalogue import default_catalogue
    from arrears.simulation.responses import agents_for, unprompted_payer
    from arrears.simulation.run import SimulationConfig

    config = SimulationConfig(borrowers=30, months=1)
    agents = agents_for(config, default_catalogue())
    assert len(agents) == 30 and all(d.startswith("D7-") for d in agents)
    assert agents_for(config, default_catalogue()).keys() == agents.keys()
    paying = unprompted_payer(agents, daily_chance=0.5)
    days = [date(2026, 3, 1) + timedelta(days=n) for n in range(60)]
    rich = max(agents, key=lambda d: agents[d].sit.cash_minor)
    paid = [paying(rich, 1_000, day) for day in days]
    assert paid == [paying(rich, 1_000, day) for day in days]  # seeded per borrower and day
    assert set(paid) == {0, 1_000} or agents[rich].b.never_pays
    assert all(paying(rich, agents[rich].sit.cash_minor + 1, day) == 0 for day in days)
    assert paying("nobody", 1_000, days[0]) == 0 and paying(rich, 0, days[0]) == 0
    for debtor in agents:  # one who would not pay 1 minor unit pays nothing of more
        for day in days[:10]:
            assert paying(debtor, 1, day) > 0 or paying(debtor, 5_000, day) == 0
