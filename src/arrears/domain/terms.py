"""The parameters an engine reads: one catalogue and one business calendar.

Both the reference engine and the vectorised close read these, so a bucket
edge or a fee rate has one definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from arrears.domain.products import (
    Catalogue,
    DelinquencyPolicy,
    LineProduct,
    LoanProduct,
)
from arrears.kernel.dates import BusinessCalendar

__all__ = ["Terms"]


@dataclass(frozen=True)
class Terms:
    catalogue: Catalogue
    calendar: BusinessCalendar

    def line(self, code: str) -> LineProduct:
        return self.catalogue.line(code)

    def loan(self, code: str) -> LoanProduct:
        return self.catalogue.loan(code)

    @property
    def delinquency(self) -> DelinquencyPolicy:
        return self.catalogue.delinquency

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.catalogue.waterfall.parts)
