"""A synthetic book of credit-pay lines and cash loans, built column by column.

``synthetic_book(n, as_of, seed)`` draws ``n`` accounts, every one closed
through the day before ``as_of``, so that closing ``as_of`` is one business
day for the whole book. Nothing loops over accounts: each draw is a
counter-based random number (SplitMix64 of the account's index, the seed and
a named stream, in polars' wrapping UInt64 arithmetic), so the same seed
gives the same book on any machine, and millions of accounts build in
seconds. The only loops run over installment periods (at most 12) and
statement cycles (at most 8), each step a few expressions over all accounts.
Every value used twice is made a column first: polars does not share common
sub-expressions in eager ``with_columns``, and nested ``when`` chains would
compute them again in every branch.

The default mix (:class:`Mix`): 60% credit-pay lines (limits 500-50,000 CNY,
cycle days 1-28, unbilled purchases, one statement due and paid, partly paid
or revolving, some dormant, some with a statement turned into installments)
and 40% cash loans (1,000-200,000 CNY in steps of 100, 3/6/12 months, daily
rates 0.02%-0.06% in steps of 0.005%, three repayment methods, the unbilled
installments of the schedule left). Of each, 5% are 1-30 days past due,
1.5% 31-90, 1% 91-175, a few exactly 179 (they charge off when ``as_of``
closes) and 1% were charged off and are still aging.

What holds for every account, as the reference engine keeps it:

- every billed due with something unpaid is in ``dues``; paid ones are left
  out, as a book read for closing may do; ``next_seq`` is above every seq;
- ``delinquent_since`` is the earliest payment date before ``as_of`` of a
  billed due with its minimum unpaid, ``days_past_due`` counts from it to the
  day before ``as_of``, bucket and classification are the catalogue's bands
  of it, and a line is frozen exactly when it is past due;
- a loan's unbilled installments are the rest of its schedule (their
  principal sums to ``unbilled_principal_minor``), its accrued interest is
  the rounded interest since ``accrual_start``, and each overdue
  installment's penalty is 1.5x the rate on its unpaid principal per day;
- a line's statements bill what the cycles before them accrued, its minimum
  dues are capped as the reference caps them, and its accrued interest and
  penalty are the daily charges since its last statement.

It is not a book the reference engine could have produced exactly: a
payment is placed on its due's payment date, the equal installment is
computed in float64, and the accounts put at an exact number of days past
due have that due's payment date set to match.

>>> book = synthetic_book(300, date(2026, 3, 18), seed=1)
>>> book.accounts.num_rows, book.accounts.column("last_closed_on")[0]
(300, <pyarrow.Date32Scalar: datetime.date(2026, 3, 17)>)
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl
import pyarrow as pa

from arrears.batch.book import Book
from arrears.batch.params import bands_expr
from arrears.batch.schema import ACCOUNTS, CONVERSIONS, DUES, RATE_SCALE, rate_e10
from arrears.domain.products import LineProduct, LoanProduct
from arrears.domain.schedule import Method
from arrears.domain.terms import Terms

__all__ = ["Mix", "synthetic_book"]

_U64 = pl.UInt64
_MASK = 2**64 - 1
_GAMMA = 0x9E3779B97F4A7C15
_EPOCH = date(1970, 1, 1).toordinal()
#: The step loan rates are drawn in (0.005% a day) and limits (100 CNY).
_LOAN_RATE_STEP_E10 = 500_000
_LIMIT_STEP_MINOR = 10_000

Stage = Sequence[pl.Expr]


@dataclass(frozen=True)
class Mix:
    """The shares of the book; the accounts in no band are current.

    ``overdue`` bands are (first DPD, last DPD, share of all accounts); a band
    of one DPD puts its accounts at exactly that many days. The others may
    land up to 3 days later than drawn (payment dates roll past holidays and
    statement days stop at the 28th), hence 175, not 178.
    """

    line_share: float = 0.60
    overdue: tuple[tuple[int, int, float], ...] = (
        (1, 30, 0.05),
        (31, 90, 0.015),
        (91, 175, 0.01),
        (179, 179, 0.0003),
    )
    charged_off: tuple[int, int, float] = (181, 540, 0.01)
    dormant_share: float = 0.12
    conversion_share: float = 0.06


def synthetic_book(
    n: int,
    as_of: date,
    seed: int,
    *,
    terms: Terms | None = None,
    mix: Mix | None = None,
    chunk: int = 1 << 20,
) -> Book:
    """``n`` accounts closed through ``as_of - 1 day``; the same seed, the same book.

    The book is built ``chunk`` accounts at a time (each table then has a chunk
    per ``chunk`` accounts, as a Parquet file has row groups): every draw hangs
    on the account's index alone, so the chunks change nothing but the memory
    the build needs at its peak.
    """
    if terms is None:
        from arrears.bootstrap import build_terms

        terms = build_terms()
    if n <= 0:
        return Book.empty()
    ctx = _Context.make(as_of, seed, terms, mix or Mix(), n)
    parts = [_chunk(ctx, start, min(n, start + chunk)) for start in range(0, n, chunk)]
    return Book(*(pa.concat_tables([part[k] for part in parts]) for k in range(3)))


def _chunk(ctx: _Context, start: int, stop: int) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Accounts ``start`` to ``stop - 1``, their dues and conversions, as Arrow tables.

    Both kinds are sorted by account before any string column is made: a sort
    then moves numbers only.
    """
    index = _staged(
        pl.DataFrame({"_i": pl.int_range(start, stop, dtype=pl.Int64, eager=True)}),
        [(ctx.uniform("kind") < ctx.mix.line_share).alias("_line"), *ctx.draw("group", "dpd")],
        _group_columns(ctx),
    ).drop("_u_group", "_u_dpd")
    line_accounts, line_dues, conversions = _lines(ctx, index.filter(pl.col("_line")))
    loan_accounts, loan_dues = _loans(ctx, index.filter(~pl.col("_line")))
    accounts = pl.concat([line_accounts, loan_accounts], how="vertical").sort("_i")
    accounts = accounts.with_columns(_account_strings(ctx))
    dues = pl.concat([line_dues, loan_dues], how="vertical", rechunk=False)
    del line_accounts, loan_accounts, line_dues, loan_dues
    dues = dues.sort(pl.col("_i") * 1024 + pl.col("seq"))  # one key sorts faster than two
    dues = dues.with_columns(_due_strings())
    return _arrow(accounts, ACCOUNTS), _arrow(dues, DUES), _arrow(conversions, CONVERSIONS)


def _arrow(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    return frame.select(schema.names).to_arrow().cast(schema)


def _staged(frame: pl.DataFrame, *stages: Stage) -> pl.DataFrame:
    """Add each stage's columns in turn: a later stage reads the earlier ones."""
    for stage in stages:
        frame = frame.with_columns(stage)
    return frame


# --- randomness and dates ---------------------------------------------------------------


def _splitmix(x: pl.Expr) -> pl.Expr:
    """SplitMix64's finaliser; UInt64 multiplication in polars wraps, as it must."""
    x = x.xor(x // (1 << 30)) * pl.lit(0xBF58476D1CE4E5B9, _U64)
    x = x.xor(x // (1 << 27)) * pl.lit(0x94D049BB133111EB, _U64)
    return x.xor(x // (1 << 31))


def _splitmix_int(x: int) -> int:
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _MASK
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _MASK
    return x ^ (x >> 31)


@dataclass(frozen=True)
class _Context:
    day: date  # the last closed day: as_of - 1
    seed: int
    terms: Terms
    mix: Mix
    size: int  # accounts in the whole book
    roll_base: int
    rolled: pl.Series  # for each day from roll_base, the business day it rolls to

    @classmethod
    def make(cls, as_of: date, seed: int, terms: Terms, mix: Mix, size: int) -> _Context:
        first, last = as_of - timedelta(days=6 * 366), as_of + timedelta(days=3 * 366)
        rolled = [
            terms.calendar.roll_forward(first + timedelta(days=k)).toordinal() - _EPOCH
            for k in range((last - first).days)
        ]
        series = pl.Series("rolled", rolled, dtype=pl.Int32)
        base = first.toordinal() - _EPOCH
        return cls(as_of - timedelta(days=1), seed, terms, mix, size, base, series)

    def uniform(self, stream: str) -> pl.Expr:
        """A float in [0, 1) for each account, fixed by the seed, the stream and ``_i``."""
        key = (self.seed * 0x100000001B3 + zlib.crc32(stream.encode())) & _MASK
        x = pl.col("_i").cast(_U64) * pl.lit(_GAMMA, _U64) + pl.lit(_splitmix_int(key), _U64)
        return (_splitmix(x) // (1 << 11)).cast(pl.Float64) * (1.0 / (1 << 53))

    def draw(self, *streams: str) -> list[pl.Expr]:
        """Draws to keep as columns ``_u_<stream>``, for values read more than once."""
        return [self.uniform(s).alias(f"_u_{s}") for s in streams]

    def integer(self, stream: str, low: int | pl.Expr, high: int | pl.Expr) -> pl.Expr:
        """A whole number from ``low`` to ``high`` inclusive, drawn inline."""
        return _between(self.uniform(stream), low, high)

    def roll(self, day: pl.Expr) -> pl.Expr:
        """The business day a payment falling on ``day`` is due, by the catalogue's calendar."""
        return pl.lit(self.rolled).gather(day.cast(pl.Int32) - self.roll_base).cast(pl.Date)

    @property
    def d(self) -> pl.Expr:
        return pl.lit(self.day, pl.Date)

    @property
    def month_before(self) -> pl.Expr:
        """The last day of the month before the last closed day's."""
        return pl.lit(self.day.replace(day=1) - timedelta(days=1), pl.Date)

    @property
    def holds_interest(self) -> bool:
        """Whether accounts hold interest not yet posted: a monthly ledger policy, and the
        last closed day not a month's end (its close posted the month)."""
        return self.terms.catalogue.ledger.monthly and (self.day + timedelta(days=1)).day != 1


def _u(stream: str) -> pl.Expr:
    return pl.col(f"_u_{stream}")


def _between(u: pl.Expr, low: int | pl.Expr, high: int | pl.Expr) -> pl.Expr:
    span = (_expr(high) - _expr(low) + 1).cast(pl.Float64)
    return _expr(low) + (u * span).floor().cast(pl.Int64)


def _expr(value: int | pl.Expr) -> pl.Expr:
    return value if isinstance(value, pl.Expr) else pl.lit(value, pl.Int64)


def _choice(u: pl.Expr, options: Sequence[tuple[object, float]]) -> pl.Expr:
    """The option whose cumulative share ``u`` falls in; the last takes the rest."""
    expr: pl.Expr = pl.lit(options[-1][0])
    edge = sum(share for _, share in options[:-1])
    for value, share in reversed(options[:-1]):
        edge -= share
        expr = pl.when(u < edge + share).then(pl.lit(value)).otherwise(expr)
    return expr


def _plus(day: pl.Expr, days: int | pl.Expr) -> pl.Expr:
    return (day.cast(pl.Int32) + _expr(days).cast(pl.Int32)).cast(pl.Date)


def _days(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later.cast(pl.Int32) - earlier.cast(pl.Int32)).cast(pl.Int64)


def _add_months(day: pl.Expr, months: int | pl.Expr) -> pl.Expr:
    """``months`` after ``day`` on its day of the month, month end where that does not
    exist: the reference's ``add_months(day, months, day=day.day)``."""
    if isinstance(months, int):
        return day.dt.offset_by(f"{months}mo")
    total = day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1 + months
    year, month = total // 12, total % 12 + 1
    last = pl.date(year, month, 1).dt.month_end().dt.day()
    return pl.date(year, month, pl.min_horizontal(day.dt.day(), last))


def _month_index(day: pl.Expr) -> pl.Expr:
    return day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64)


def _half_up(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """A non-negative ``numerator / denominator`` rounded half up."""
    return (numerator * 2 + denominator) // (2 * denominator)


# --- what every account has -------------------------------------------------------------


def _group_columns(ctx: _Context) -> Stage:
    """``_g`` (0 current, 1.. an overdue band, -1 charged off), ``_dpd`` drawn in the
    band, and ``_exact`` when the first missed payment date is put exactly there."""
    bands = [*ctx.mix.overdue, ctx.mix.charged_off]
    u = _u("group")
    group: pl.Expr = pl.lit(0, pl.Int8)
    dpd: pl.Expr = pl.lit(0, pl.Int64)
    exact: pl.Expr = pl.lit(False)
    edge = 0.0
    for number, (first, last, share) in enumerate(bands, start=1):
        code = -1 if number == len(bands) else number
        inside = (u >= edge) & (u < edge + share)
        group = pl.when(inside).then(pl.lit(code, pl.Int8)).otherwise(group)
        dpd = pl.when(inside).then(_between(_u("dpd"), first, last)).otherwise(dpd)
        exact = pl.when(inside).then(pl.lit(first == last or code == -1)).otherwise(exact)
        edge += share
    return [group.alias("_g"), dpd.alias("_dpd"), exact.alias("_exact")]


def _dpd(ctx: _Context) -> pl.Expr:
    return _days(ctx.d, pl.col("delinquent_since")).fill_null(0).cast(pl.Int32)


def _common(ctx: _Context) -> Stage:
    """The dated columns every account has, whatever its product."""
    return [
        pl.col("_line"),
        pl.col("_g"),
        ctx.d.alias("last_closed_on"),
        pl.when(pl.col("_g") == -1).then(pl.col("_e")).alias("charged_off_on"),
        pl.lit(None, pl.Date).alias("closed_on"),
        pl.col("_e").alias("charges_accrued_on"),
        _dpd(ctx).alias("days_past_due"),
        *_consequence_columns(ctx),
    ]


def _consequence_columns(ctx: _Context) -> Stage:
    """The opening score, and for current accounts a run of days current that began on
    a drawn day of the last ``recover_days`` (so a share earn points on the day)."""
    policy = ctx.terms.catalogue.consequences
    run = ctx.integer("good_since", 0, policy.recover_days - 1)
    current = (_dpd(ctx) == 0) & (pl.col("_g") != -1)
    return [
        pl.lit(policy.score_at_opening, pl.Int32).alias("credit_score"),
        pl.when(current).then(ctx.d - pl.duration(days=run)).cast(pl.Date).alias("good_since"),
    ]


def _account_strings(ctx: _Context) -> Stage:
    """Ids, codes, status, method, bucket and classification (the bands of the DPD)."""
    catalogue, policy = ctx.terms.catalogue, ctx.terms.delinquency
    line, dpd = pl.col("_line"), pl.col("days_past_due")
    loan = next(iter(catalogue.loans.values()))
    method: pl.Expr = pl.lit("")
    for code, name in enumerate(loan.methods):
        method = (
            pl.when(~line & (pl.col("_method") == code)).then(pl.lit(name.value)).otherwise(method)
        )
    customer = (ctx.uniform("customer") * ctx.size * 0.85).floor().cast(pl.Int64)
    return [
        _account_id(pl.when(line).then(pl.lit("C")).otherwise(pl.lit("L"))),
        pl.when(line)
        .then(pl.lit(next(iter(catalogue.lines))))
        .otherwise(pl.lit(loan.code))
        .alias("product_code"),
        pl.when(line).then(pl.lit("line")).otherwise(pl.lit("loan")).alias("kind"),
        pl.lit(catalogue.currency).alias("currency"),
        (pl.lit("K") + customer.cast(pl.String).str.zfill(9)).alias("customer_id"),
        pl.when(pl.col("_g") == -1)
        .then(pl.lit("charged_off"))
        .otherwise(pl.lit("active"))
        .alias("status"),
        method.alias("method"),
        bands_expr(dpd, policy.buckets).alias("bucket"),
        bands_expr(dpd, policy.classes).alias("classification"),
    ]


#: Dues kinds while building: a code, and the account's product letter from it.
_STATEMENT, _INSTALLMENT, _LINE_ACCELERATION, _LOAN_ACCELERATION = range(4)


def _due_strings() -> Stage:
    code = pl.col("_kind")
    line = (code == _STATEMENT) | (code == _LINE_ACCELERATION)
    return [
        _account_id(pl.when(line).then(pl.lit("C")).otherwise(pl.lit("L"))),
        pl.when(code == _STATEMENT)
        .then(pl.lit("statement"))
        .when(code == _INSTALLMENT)
        .then(pl.lit("installment"))
        .otherwise(pl.lit("acceleration"))
        .alias("kind"),
    ]


def _account_id(suffix: str | pl.Expr) -> pl.Expr:
    """``A000000042C``: the account's index, then the product's letter, so that ids
    sort in account order, as a store hands a book out (ordered by id)."""
    letter = pl.lit(suffix) if isinstance(suffix, str) else suffix
    return (pl.lit("A") + pl.col("_i").cast(pl.String).str.zfill(9) + letter).alias("account_id")


_POLARS = {
    pa.int64(): pl.Int64,
    pa.int32(): pl.Int32,
    pa.date32(): pl.Date,
    pa.bool_(): pl.Boolean,
    pa.string(): pl.String,
}


def _due_row(kind: int, **columns: pl.Expr | int | bool) -> Stage:
    """A dues row in the schema's types, ``kind`` a code; money not given is zero."""
    made = [pl.col("_i"), pl.lit(kind, pl.Int8).alias("_kind")]
    for field in list(DUES):
        if field.name in ("account_id", "kind"):
            continue
        value = columns.get(field.name, 0)
        expr = value if isinstance(value, pl.Expr) else pl.lit(value)
        made.append(expr.cast(_POLARS[field.type]).alias(field.name))
    return made


# --- cash loans -------------------------------------------------------------------------


def _loans(ctx: _Context, index: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Loans with their schedules: a loop over the periods, the accounts as columns."""
    product = next(iter(ctx.terms.catalogue.loans.values()))
    frame = _staged(
        index,
        ctx.draw("loan_term", "loan_method", "loan_pay", "loan_pay_share"),
        _loan_terms(ctx, product),
        _loan_missed(ctx),
        _loan_opened(ctx),
        _loan_start(product),
    ).drop("_u_loan_term", "_u_loan_method")
    rows, ended = [], []
    for k in range(1, max(product.terms) + 1):
        frame = _staged(frame, *_period(ctx, k, product))
        rows.append(_period_rows(frame, k))
        frame = frame.with_columns(_period_carry(ctx))
        if k in product.terms:  # loans of this term are done: later periods skip them
            ended.append(frame.filter(pl.col("_T") == k))
            frame = frame.filter(pl.col("_T") != k)
    frame = pl.concat([*ended, frame], how="vertical")
    return _loan_accounts(ctx, frame, pl.concat(rows, how="vertical", rechunk=False))


def _loan_terms(ctx: _Context, product: LoanProduct) -> Stage:
    low = rate_e10(product.daily_rate_min) // _LOAN_RATE_STEP_E10
    high = rate_e10(product.daily_rate_max) // _LOAN_RATE_STEP_E10
    steps = (product.amount_max_minor - product.amount_min_minor) // product.amount_step_minor
    size = (ctx.uniform("loan_amount") ** 2 * (steps + 1)).floor().cast(pl.Int64)
    shares = {3: 0.25, 6: 0.35, 12: 0.40}
    terms = [(t, shares.get(t, 0.3)) for t in product.terms]
    methods = list(zip(range(len(product.methods)), (0.5, 0.3, 0.2), strict=False))
    return [
        (product.amount_min_minor + size * product.amount_step_minor).alias("amount_minor"),
        (ctx.integer("loan_rate", low, high) * _LOAN_RATE_STEP_E10).alias("daily_rate_e10"),
        _choice(_u("loan_term"), terms).cast(pl.Int64).alias("_T"),
        _choice(_u("loan_method"), methods).cast(pl.Int8).alias("_method"),
    ]


def _loan_missed(ctx: _Context) -> Stage:
    """The first missed installment ``_m1`` (0: none) and its drawn payment date."""
    late = pl.col("_g") != 0
    return [
        pl.when(late).then(ctx.integer("loan_m1", 1, pl.col("_T"))).otherwise(0).alias("_m1"),
        _plus(ctx.d, -pl.col("_dpd")).alias("_missed"),
    ]


def _loan_opened(ctx: _Context) -> Stage:
    """Opened so that installment ``_m1`` fell due on ``_missed``; ``_e``: the date the
    loan's state is reckoned to (its charge-off day, or the last closed day)."""
    current = _plus(ctx.d, -ctx.integer("loan_age", 1, pl.col("_T") * 28 - 1))
    return [
        pl.when(pl.col("_g") == 0)
        .then(current)
        .otherwise(_add_months(pl.col("_missed"), -pl.col("_m1")))
        .alias("opened_on"),
        pl.when(pl.col("_g") == -1)
        .then(_plus(pl.col("_missed"), 180))
        .otherwise(ctx.d)
        .alias("_e"),
    ]


def _loan_start(product: LoanProduct) -> Stage:
    monthly = pl.col("daily_rate_e10").cast(pl.Float64) * product.month_days / RATE_SCALE
    growth = (monthly + 1.0).pow(pl.col("_T"))
    annuity = pl.col("amount_minor") * monthly * growth / (growth - 1.0)
    return [
        (annuity + 0.5).floor().cast(pl.Int64).alias("_inst"),  # half up, in float64
        pl.col("amount_minor").alias("_opening"),
        pl.lit(0, pl.Int64).alias("_unbilled"),
        pl.lit(0, pl.Int64).alias("_owed"),
        pl.lit(0, pl.Int64).alias("_month_billed"),
        pl.col("opened_on").alias("accrual_start"),
        pl.lit(None, pl.Date).alias("delinquent_since"),
        pl.col("opened_on").alias("_due"),
        _add_months(pl.col("opened_on"), 1).alias("_next"),
    ]


def _method_is(product: LoanProduct, method: Method) -> pl.Expr:
    """Whether the loan's method (a code: its place in the product's list) is ``method``."""
    if method not in product.methods:
        return pl.lit(False)
    return pl.col("_method") == product.methods.index(method)


def _period(ctx: _Context, k: int, product: LoanProduct) -> list[Stage]:
    """Period ``k``: its dates, interest and principal by the method, what was paid."""
    opened, total = pl.col("opened_on"), pl.col("_principal") + pl.col("_interest")
    # _due and _next carry over from the period before: one month step a period
    exact = pl.col("_exact") & (pl.col("_m1") == k)
    dates = [
        (pl.col("_T") >= k).alias("_live"),
        pl.col("_due").alias("_start"),
        pl.col("_next").alias("_due"),
        _add_months(opened, k + 1).alias("_next"),
    ]
    last = (pl.col("_T") == k) | (pl.col("_next") > pl.col("_e"))
    interest = _half_up(
        pl.col("_opening") * pl.col("daily_rate_e10") * _days(pl.col("_due"), pl.col("_start")),
        RATE_SCALE,
    )
    billing = [
        interest.alias("_interest"),
        pl.when(exact).then(pl.col("_missed")).otherwise(ctx.roll(pl.col("_due"))).alias("_pay"),
        (pl.col("_due") <= pl.col("_e")).alias("_billed"),
        last.alias("_last"),
    ]
    principal = (
        pl.when(pl.col("_T") == k)
        .then(pl.col("_opening"))
        .when(_method_is(product, Method.EQUAL_INSTALLMENT))
        .then(
            pl.min_horizontal(pl.col("_opening"), (pl.col("_inst") - pl.col("_interest")).clip(0))
        )
        .when(_method_is(product, Method.EQUAL_PRINCIPAL))
        .then(pl.col("amount_minor") // pl.col("_T"))
        .otherwise(0)
    )
    part = (pl.col("_u_loan_pay_share") * pl.col("_total")).floor().cast(pl.Int64)
    return [
        dates,
        billing,
        [principal.alias("_principal")],
        [total.alias("_total")],
        [part.alias("_part")],
        [_loan_paid(ctx, k).alias("_paid")],
        [pl.min_horizontal(pl.col("_paid"), pl.col("_interest")).alias("_paid_interest")],
        _loan_penalty(),
    ]


def _loan_paid(ctx: _Context, k: int) -> pl.Expr:
    """Current payers pay all but perhaps the installment falling due now; late payers
    missed installment ``_m1`` (some paid part of it) and everything after."""
    total, part, b, pay = pl.col("_total"), pl.col("_part"), _u("loan_pay"), pl.col("_pay")
    current = (
        pl.when(~pl.col("_last") | (pay < ctx.d))
        .then(total)
        .when(pay == ctx.d)
        .then(pl.when(b < 0.93).then(total).otherwise(part))
        .when(b < 0.35)
        .then(total)
        .when(b < 0.45)
        .then(part)
        .otherwise(0)
    )
    paid = (
        pl.when(pl.col("_g") == 0)
        .then(current)
        .when(pl.col("_m1") > k)
        .then(total)
        .when(pl.col("_m1") == k)
        .then(pl.when(b < 0.3).then(part).otherwise(0))
        .otherwise(0)
    )
    return pl.when(pl.col("_billed")).then(paid).otherwise(0)


def _loan_penalty() -> Stage:
    """Penalty: 1.5x the rate on the unpaid principal, each day after the payment date."""
    paid_principal = pl.col("_paid") - pl.col("_paid_interest")
    owed = pl.col("_principal") - paid_principal
    daily = _half_up(owed * pl.col("daily_rate_e10") * 3, 2 * RATE_SCALE)
    late_days = _days(pl.col("_e"), pl.col("_pay")).clip(0)
    return [
        paid_principal.alias("_paid_principal"),
        pl.when(pl.col("_billed")).then(daily * late_days).otherwise(0).alias("_penalty"),
        (pl.col("_paid") < pl.col("_total")).alias("_open"),
    ]


def _period_rows(frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """The live dues of period ``k``: unbilled ones (unless charged off), unpaid billed ones."""
    unbilled = ~pl.col("_billed") & (pl.col("_g") != -1)
    keep = pl.col("_live") & (unbilled | (pl.col("_billed") & pl.col("_open")))
    return frame.filter(keep).select(
        _due_row(
            _INSTALLMENT,
            seq=pl.lit(k),
            period_start=pl.col("_start"),
            due_date=pl.col("_due"),
            payment_date=pl.col("_pay"),
            billed=pl.col("_billed"),
            principal_minor=pl.col("_principal"),
            interest_minor=pl.col("_interest"),
            penalty_minor=pl.col("_penalty"),
            paid_principal_minor=pl.col("_paid_principal"),
            paid_interest_minor=pl.col("_paid_interest"),
        )
    )


def _period_carry(ctx: _Context) -> Stage:
    """Carry the schedule to the next period: opening principal, billing, delinquency."""
    live, billed, still = pl.col("_live"), pl.col("_billed"), pl.col("_open")
    overdue = live & billed & still & (pl.col("_pay") < ctx.d)
    owed = pl.col("_total") + pl.col("_penalty") - pl.col("_paid")

    def carry(name: str, when: pl.Expr, value: pl.Expr) -> pl.Expr:
        return pl.when(when).then(value).otherwise(pl.col(name)).alias(name)

    return [
        carry("_opening", live, pl.col("_opening") - pl.col("_principal")),
        carry("_unbilled", live & ~billed, pl.col("_unbilled") + pl.col("_principal")),
        carry("accrual_start", live & billed, pl.col("_due")),
        carry(
            "_month_billed",
            live & billed & (pl.col("_due") > ctx.month_before),
            pl.col("_interest") - _accrued_by(pl.col("_opening"), pl.col("_start"), ctx),
        ),
        carry("_owed", live & billed & still, pl.col("_owed") + owed),
        carry("delinquent_since", overdue & pl.col("delinquent_since").is_null(), pl.col("_pay")),
    ]


def _accrued_by(principal: pl.Expr, start: pl.Expr, ctx: _Context) -> pl.Expr:
    """A loan's interest accrued from ``start`` to the end of the month before."""
    days = _days(ctx.month_before, start).clip(0)
    return _half_up(principal * pl.col("daily_rate_e10") * days, RATE_SCALE)


def _loan_unposted(ctx: _Context) -> pl.Expr:
    """Interest accrued this month and not yet posted: the steps since the month began,
    before an installment billed this month and since."""
    if not ctx.holds_interest:
        return pl.lit(0, pl.Int64)
    since = pl.col("_accrued") - _accrued_by(pl.col("_unbilled"), pl.col("accrual_start"), ctx)
    month = pl.col("_month_billed") + since
    return pl.when(pl.col("_e") > ctx.month_before).then(month).otherwise(0)


def _loan_accounts(
    ctx: _Context, frame: pl.DataFrame, dues: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The loans' account rows, with an acceleration due for each charged-off loan."""
    charged = pl.col("_g") == -1
    days = _days(pl.col("_e"), pl.col("accrual_start"))
    frame = frame.with_columns(
        _accrued=_half_up(pl.col("_unbilled") * pl.col("daily_rate_e10") * days, RATE_SCALE)
    ).with_columns(_accelerates=charged & ((pl.col("_unbilled") + pl.col("_accrued")) > 0))
    acceleration = frame.filter(pl.col("_accelerates")).select(
        _due_row(
            _LOAN_ACCELERATION,
            seq=pl.col("_T") + 1,
            period_start=pl.col("_e"),
            due_date=pl.col("_e"),
            payment_date=pl.col("_e"),
            billed=True,
            principal_minor=pl.col("_unbilled"),
            interest_minor=pl.col("_accrued"),
        )
    )
    dues = pl.concat([dues, acceleration], how="vertical", rechunk=False)
    accounts = frame.select(
        "_i",
        *_common(ctx),
        "opened_on",
        "amount_minor",
        "daily_rate_e10",
        pl.col("_T").cast(pl.Int32).alias("term"),
        "_method",
        pl.lit(0, pl.Int64).alias("limit_minor"),
        pl.lit(0, pl.Int32).alias("cycle_day"),
        pl.lit(False).alias("frozen"),
        pl.when(charged).then(0).otherwise(pl.col("_unbilled")).alias("unbilled_principal_minor"),
        pl.when(charged).then(0).otherwise(pl.col("_accrued")).alias("accrued_interest_minor"),
        pl.lit(0, pl.Int64).alias("accrued_penalty_minor"),
        _loan_unposted(ctx).alias("unposted_interest_minor"),
        pl.lit(0, pl.Int64).alias("credit_balance_minor"),
        pl.lit(0, pl.Int64).alias("refundable_minor"),
        "accrual_start",
        "delinquent_since",
        pl.when(charged)
        .then(pl.col("_owed") + pl.col("_unbilled") + pl.col("_accrued"))
        .otherwise(0)
        .alias("charged_off_minor"),
        (pl.col("_T") + 1 + pl.col("_accelerates").cast(pl.Int64)).cast(pl.Int32).alias("next_seq"),
    )
    return accounts, dues


# --- credit-pay lines -------------------------------------------------------------------


@dataclass(frozen=True)
class _LineRates:
    """The line product's numbers as integers, rates in parts of 1e-10."""

    limit_min: int
    limit_max: int
    due_days: int
    revolving: int
    penalty: int
    minimum: int
    fees: tuple[tuple[int, int], ...]  # (periods, total fee rate)

    @classmethod
    def of(cls, line: LineProduct) -> _LineRates:
        return cls(
            line.limit_min_minor,
            line.limit_max_minor,
            line.due_days_after_statement,
            rate_e10(line.revolving_daily_rate),
            rate_e10(line.penalty_daily_rate),
            rate_e10(line.minimum_due_rate),
            tuple((p, rate_e10(r)) for p, r in line.installment_fee_rates),
        )

    def times(self, rate: int, base: pl.Expr) -> pl.Expr:
        """``base x rate`` rounded half up, as ``interest_minor`` for one day."""
        return _half_up(base * rate, RATE_SCALE)


def _lines(ctx: _Context, index: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Lines and their live statements: a loop over the cycles of the late ones."""
    rates = _LineRates.of(next(iter(ctx.terms.catalogue.lines.values())))
    frame = _staged(
        index,
        *_line_start(ctx, rates),
        *_line_amounts(ctx, rates),
        *_first_statement(rates),
        *_first_payment(ctx),
        _first_state(ctx, rates),
    ).drop("_u_line_pay", "_u_line_pay_share", "_u_retail", "_u_periods", "_u_convert")
    rows = [_first_rows(frame, rates)]
    single, multi = frame.filter(pl.col("_M") <= 1), frame.filter(pl.col("_M") > 1)
    cycles = multi.get_column("_M").max()
    for j in range(1, cycles if isinstance(cycles, int) else 1):
        multi = _staged(multi, *_cycle(ctx, rates, j))
        rows.append(_cycle_rows(multi, rates, j))
        multi = multi.with_columns(_cycle_carry(j))
    frame = pl.concat([single, multi.select(single.columns)], how="vertical")
    frame = frame.with_columns(_line_accrual(rates))
    accounts, acceleration = _line_accounts(ctx, frame)
    dues = pl.concat([*rows, acceleration], how="vertical", rechunk=False)
    return accounts, dues, _conversions(frame)


def _line_start(ctx: _Context, rates: _LineRates) -> list[Stage]:
    """The first live statement's cut ``_t0``: the latest cycle day for a current line;
    for a late one, the statement whose payment date was the drawn DPD ago. Then its
    payment date ``_p0``, the date ``_e`` the state is reckoned to, and ``_M``, the
    number of statements cut from ``_t0`` to ``_e``."""
    day, t0 = ctx.day, pl.col("_t0")
    this_month = pl.date(day.year, day.month, pl.col("_cycle"))
    cut = pl.col("_late_cut")
    rolled = ctx.roll(_plus(t0, rates.due_days))
    end = pl.col("_e")
    last_cut = _month_index(end) - (end.dt.day() < t0.dt.day()).cast(pl.Int64)
    return [
        [
            ctx.integer("cycle_day", 1, 28).alias("_cycle"),
            _plus(ctx.d, -pl.col("_dpd")).alias("_missed"),
            ((pl.col("_g") == 0) & (ctx.uniform("dormant") < ctx.mix.dormant_share)).alias(
                "_dormant"
            ),
        ],
        [this_month.alias("_this"), _plus(pl.col("_missed"), -rates.due_days).alias("_late_cut")],
        [
            pl.when(pl.col("_g") != 0)
            .then(_plus(cut, -(cut.dt.day().cast(pl.Int64) - 28).clip(0)))
            .when(pl.col("_cycle") <= day.day)
            .then(pl.col("_this"))
            .otherwise(_add_months(pl.col("_this"), -1))
            .alias("_t0")
        ],
        [
            t0.dt.day().cast(pl.Int32).alias("cycle_day"),
            pl.when(pl.col("_exact")).then(pl.col("_missed")).otherwise(rolled).alias("_p0"),
            pl.when(pl.col("_g") == -1)
            .then(_plus(pl.col("_missed"), 180))
            .otherwise(ctx.d)
            .alias("_e"),
        ],
        [
            pl.when(pl.col("_dormant"))
            .then(0)
            .otherwise(last_cut - _month_index(t0) + 1)
            .alias("_M")
        ],
    ]


def _line_amounts(ctx: _Context, rates: _LineRates) -> list[Stage]:
    """Limit, the first statement's purchases, any conversion in progress, purchases since."""
    steps = (rates.limit_max - rates.limit_min) // _LIMIT_STEP_MINOR
    size = (ctx.uniform("limit") ** 2 * (steps + 1)).floor().cast(pl.Int64)
    current, dormant, limit = pl.col("_g") == 0, pl.col("_dormant"), pl.col("limit_minor")
    share = pl.when(current).then(0.02 + 0.48 * _u("retail")).otherwise(0.3 + 0.6 * _u("retail"))
    fee_rate: pl.Expr = pl.lit(0, pl.Int64)
    for periods, rate in rates.fees:
        fee_rate = pl.when(pl.col("_P") == periods).then(rate).otherwise(fee_rate)
    buys = current & (ctx.uniform("buys") < pl.when(dormant).then(0.3).otherwise(0.6))
    converting = current & ~dormant & (_u("convert") < ctx.mix.conversion_share)
    amount = (limit * (0.1 + 0.2 * ctx.uniform("convert_amount"))).floor().cast(pl.Int64)
    return [
        [
            (rates.limit_min + size * _LIMIT_STEP_MINOR).alias("limit_minor"),
            *ctx.draw("retail", "periods", "convert"),
        ],
        [
            _choice(_u("periods"), [(p, 1 / len(rates.fees)) for p, _ in rates.fees])
            .cast(pl.Int64)
            .alias("_P"),
        ],
        [
            pl.when(dormant).then(0).otherwise((limit * share).floor().cast(pl.Int64)).alias("_R"),
            converting.alias("_conv"),
            ctx.integer("billed_periods", 1, pl.col("_P") - 1).alias("_bp"),
            pl.when(converting).then(amount).otherwise(0).alias("_A"),
            (limit * 0.2 * ctx.uniform("buy_amount") * buys.cast(pl.Float64))
            .floor()
            .cast(pl.Int64)
            .alias("unbilled_principal_minor"),
            pl.when(dormant & (ctx.uniform("credit") < 0.1))
            .then(ctx.integer("credit_amount", 100, 50_000))
            .otherwise(0)
            .alias("credit_balance_minor"),
            (ctx.uniform("revolved") < 0.35).alias("_revolved"),
            ctx.integer("revolved_days", 1, 25).alias("_revolved_days"),
        ],
        [_half_up(pl.col("_A") * fee_rate, RATE_SCALE).alias("_F")],
    ]


def _first_statement(rates: _LineRates) -> list[Stage]:
    """What the first live statement billed, and its minimum due (capped at the total)."""
    conv, retail = pl.col("_conv"), pl.col("_R")
    interest = rates.times(rates.revolving, retail) * pl.col("_revolved_days")
    total = retail + pl.col("_part") + pl.col("_fee0") + pl.col("_I0")
    share = rates.times(rates.minimum, retail)
    return [
        [
            pl.when(conv).then(pl.col("_A") // pl.col("_P")).otherwise(0).alias("_part"),
            pl.when(conv).then(pl.col("_F") // pl.col("_P")).otherwise(0).alias("_fee0"),
            pl.when(pl.col("_revolved")).then(interest).otherwise(0).alias("_I0"),
        ],
        [
            (retail + pl.col("_part")).alias("_principal0"),
            (pl.col("_part") + pl.col("_fee0")).alias("_inst0"),
            total.alias("_total0"),
        ],
        [
            pl.min_horizontal(share + pl.col("_inst0") + pl.col("_I0"), pl.col("_total0")).alias(
                "_m0"
            )
        ],
    ]


def _first_payment(ctx: _Context) -> list[Stage]:
    """What was paid on the first statement by its payment date, by the waterfall."""
    total, minimum, pay = pl.col("_total0"), pl.col("_m0"), pl.col("_p0")
    b, v = _u("line_pay"), _u("line_pay_share")
    on_time = pl.when(b < 0.65).then(total).otherwise(pl.col("_revolver"))
    current = (
        pl.when(pay < ctx.d)
        .then(on_time)
        .when(pay == ctx.d)
        .then(pl.when(b < 0.93).then(on_time).otherwise(pl.col("_short")))
        .when(b < 0.35)
        .then(total)
        .when(b < 0.5)
        .then(pl.col("_revolver"))
        .when(b < 0.6)
        .then(pl.col("_short"))
        .otherwise(0)
    )
    late = pl.when(b < 0.6).then(0).otherwise(pl.col("_short"))
    paid, paid_fee = pl.col("_x"), pl.col("_paid_fee0")
    return [
        ctx.draw("line_pay", "line_pay_share"),
        [
            (minimum + (v * (total - minimum)).floor().cast(pl.Int64)).alias("_revolver"),
            (v * minimum).floor().cast(pl.Int64).alias("_short"),
        ],
        [pl.when(pl.col("_g") == 0).then(current).otherwise(late).alias("_x")],
        [pl.min_horizontal(paid, pl.col("_fee0")).alias("_paid_fee0")],
        [pl.min_horizontal(paid - paid_fee, pl.col("_I0")).alias("_paid_interest0")],
        [
            (paid - paid_fee - pl.col("_paid_interest0")).alias("_paid_principal0"),
            pl.min_horizontal(paid, minimum).alias("_mp0"),
        ],
    ]


def _first_state(ctx: _Context, rates: _LineRates) -> Stage:
    """What the cycles carry: unpaid minimums (``_b1``; ``_b2`` the cycle before), the
    last cut and payment date, all owed; when the line went past due; when it opened."""
    unpaid_principal = pl.col("_principal0") - pl.col("_paid_principal0")
    unpaid_minimum = pl.col("_m0") - pl.col("_mp0")
    late = (unpaid_minimum > 0) & (pl.col("_p0") < ctx.d) & (pl.col("_M") > 0)
    back = pl.when(pl.col("_conv")).then(pl.col("_bp") * 31).otherwise(0)
    opened = _plus(pl.col("_t0"), -(back + 20 + ctx.integer("line_age", 0, 700)))
    return [
        unpaid_principal.alias("_U"),
        rates.times(rates.revolving, unpaid_principal).alias("_i_day"),
        pl.lit(0, pl.Int64).alias("_b2"),
        unpaid_minimum.alias("_b1"),
        pl.col("_t0").alias("_tl"),
        pl.col("_p0").alias("_pl"),
        (pl.col("_total0") - pl.col("_x")).alias("_owed"),
        pl.when(late).then(pl.col("_p0")).alias("delinquent_since"),
        opened.alias("opened_on"),
    ]


def _seq0() -> pl.Expr:
    """The first live statement's seq: about one statement a month since opening."""
    months = _days(pl.col("_t0"), pl.col("opened_on")) // 30
    return pl.max_horizontal(months, pl.col("_bp") * pl.col("_conv").cast(pl.Int64) + 1)


def _first_rows(frame: pl.DataFrame, rates: _LineRates) -> pl.DataFrame:
    """The first live statement of every line that has one and has not paid it off."""
    return frame.filter((pl.col("_M") > 0) & (pl.col("_x") < pl.col("_total0"))).select(
        _due_row(
            _STATEMENT,
            seq=_seq0(),
            period_start=pl.col("_t0"),
            due_date=_plus(pl.col("_t0"), rates.due_days),
            payment_date=pl.col("_p0"),
            billed=True,
            principal_minor=pl.col("_principal0"),
            interest_minor=pl.col("_I0"),
            fee_minor=pl.col("_fee0"),
            paid_principal_minor=pl.col("_paid_principal0"),
            paid_interest_minor=pl.col("_paid_interest0"),
            paid_fee_minor=pl.col("_paid_fee0"),
            minimum_minor=pl.col("_m0"),
            minimum_paid_minor=pl.col("_mp0"),
            installment_minor=pl.col("_inst0"),
            retail_minor=pl.col("_R"),
            minimum_base_minor=pl.col("_R"),
        )
    )


def _window_charges(rates: _LineRates, end: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Interest and penalty from the last cut to ``end``: interest on the unpaid
    principal after the first payment date; penalty on the unpaid minimums past their
    payment date (``_b2`` until the last statement's payment date, ``_b1`` after)."""
    last_cut, last_pay = pl.col("_tl"), pl.col("_pl")
    interest = pl.col("_i_day") * _days(end, pl.max_horizontal(last_cut, pl.col("_p0"))).clip(0)
    before = _days(pl.min_horizontal(last_pay, end), last_cut).clip(0)
    after = _days(end, last_pay).clip(0)
    penalty = (
        rates.times(rates.penalty, pl.col("_b2")) * before
        + rates.times(rates.penalty, pl.col("_b1")) * after
    )
    return interest, penalty


def _cycle(ctx: _Context, rates: _LineRates, j: int) -> list[Stage]:
    """Statement ``j`` after the first of a late line: no purchases (the line is frozen),
    the cycle's interest and penalty, and a tenth of the unpaid purchases as minimum."""
    interest, penalty = _window_charges(rates, pl.col("_cut"))
    base = pl.min_horizontal(pl.col("_U"), pl.col("_R"))
    minimum = rates.times(rates.minimum, base) + pl.col("_interest") + pl.col("_penalty")
    return [
        [_add_months(pl.col("_t0"), j).alias("_cut")],
        [
            ctx.roll(_plus(pl.col("_cut"), rates.due_days)).alias("_pay"),
            interest.alias("_interest"),
            penalty.alias("_penalty"),
            base.alias("_base"),
        ],
        [(pl.col("_owed") + pl.col("_interest") + pl.col("_penalty")).alias("_owed_next")],
        [pl.min_horizontal(minimum, pl.col("_owed_next") - pl.col("_b1")).clip(0).alias("_min")],
    ]


def _cycle_rows(frame: pl.DataFrame, rates: _LineRates, j: int) -> pl.DataFrame:
    return frame.filter(pl.col("_M") > j).select(
        _due_row(
            _STATEMENT,
            seq=_seq0() + j,
            period_start=pl.col("_cut"),
            due_date=_plus(pl.col("_cut"), rates.due_days),
            payment_date=pl.col("_pay"),
            billed=True,
            interest_minor=pl.col("_interest"),
            penalty_minor=pl.col("_penalty"),
            minimum_minor=pl.col("_min"),
            minimum_base_minor=pl.col("_base"),
        )
    )


def _cycle_carry(j: int) -> Stage:
    on = pl.col("_M") > j

    def carry(name: str, value: pl.Expr) -> pl.Expr:
        return pl.when(on).then(value).otherwise(pl.col(name)).alias(name)

    return [
        carry("_b2", pl.col("_b1")),
        carry("_b1", pl.col("_b1") + pl.col("_min")),
        carry("_tl", pl.col("_cut")),
        carry("_pl", pl.col("_pay")),
        carry("_owed", pl.col("_owed_next")),
    ]


def _line_accrual(rates: _LineRates) -> Stage:
    interest, penalty = _window_charges(rates, pl.col("_e"))
    return [interest.alias("_acc_interest"), penalty.alias("_acc_penalty")]


def _line_unposted(ctx: _Context) -> pl.Expr:
    """Interest accrued this month and not yet posted: a day's revolving interest for
    each day of the month after the first payment date, up to ``_e``."""
    if not ctx.holds_interest:
        return pl.lit(0, pl.Int64)
    days = _days(pl.col("_e"), pl.max_horizontal(ctx.month_before, pl.col("_p0"))).clip(0)
    return pl.col("_i_day") * days


def _line_accounts(ctx: _Context, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The lines' account rows, with an acceleration due for each charged-off line."""
    charged = pl.col("_g") == -1
    accrued = pl.col("_acc_interest") + pl.col("_acc_penalty")
    frame = frame.with_columns(_accelerates=charged & (accrued > 0))
    acceleration = frame.filter(pl.col("_accelerates")).select(
        _due_row(
            _LINE_ACCELERATION,
            seq=_seq0() + pl.col("_M"),
            period_start=pl.col("_e"),
            due_date=pl.col("_e"),
            payment_date=pl.col("_e"),
            billed=True,
            interest_minor=pl.col("_acc_interest"),
            penalty_minor=pl.col("_acc_penalty"),
        )
    )
    accounts = frame.select(
        "_i",
        *_common(ctx),
        "opened_on",
        pl.lit(0, pl.Int64).alias("amount_minor"),
        pl.lit(0, pl.Int64).alias("daily_rate_e10"),
        pl.lit(0, pl.Int32).alias("term"),
        pl.lit(0, pl.Int8).alias("_method"),
        "limit_minor",
        "cycle_day",
        pl.col("delinquent_since").is_not_null().alias("frozen"),
        "unbilled_principal_minor",
        pl.when(charged).then(0).otherwise(pl.col("_acc_interest")).alias("accrued_interest_minor"),
        pl.when(charged).then(0).otherwise(pl.col("_acc_penalty")).alias("accrued_penalty_minor"),
        _line_unposted(ctx).alias("unposted_interest_minor"),
        "credit_balance_minor",
        (pl.col("_R") + pl.col("unbilled_principal_minor") + pl.col("_A")).alias(
            "refundable_minor"
        ),
        pl.lit(None, pl.Date).alias("accrual_start"),
        "delinquent_since",
        pl.when(charged).then(pl.col("_owed") + accrued).otherwise(0).alias("charged_off_minor"),
        (_seq0() + pl.col("_M") + pl.col("_accelerates").cast(pl.Int64))
        .cast(pl.Int32)
        .alias("next_seq"),
    )
    return accounts, acceleration


def _conversions(frame: pl.DataFrame) -> pl.DataFrame:
    """Each converting line's conversion: parts split evenly, the remainder on the last."""

    def parts(total: str) -> pl.Expr:
        each = pl.col(total) // pl.col("_P")
        return pl.concat_list(
            each.repeat_by(pl.col("_P") - 1), pl.col(total) - each * (pl.col("_P") - 1)
        )

    return (
        frame.filter(pl.col("_conv"))
        .select(
            "_i",
            _account_id("C"),
            pl.lit(1, pl.Int32).alias("seq"),
            (_seq0() - pl.col("_bp")).cast(pl.Int32).alias("statement_seq"),
            _plus(_add_months(pl.col("_t0"), -pl.col("_bp")), 2).alias("converted_on"),
            pl.col("_A").alias("amount_minor"),
            pl.col("_P").cast(pl.Int32).alias("periods"),
            pl.col("_F").alias("fee_minor"),
            parts("_A").alias("principal_parts"),
            parts("_F").alias("fee_parts"),
            pl.col("_bp").cast(pl.Int32).alias("billed_periods"),
        )
        .sort("_i")
    )
