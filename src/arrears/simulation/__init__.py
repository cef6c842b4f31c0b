"""A synthetic consumer-lending book: borrowers, a macro path, six months of days.

``simulate`` draws borrowers (incomes, spending, buffers, risk grades), lets
them live through an economy with income shocks and a downturn, drives the
reference engine for every account every day, and returns a book ready for
``service.book.import_book`` with month-end snapshots for the portfolio
report (``report.build_report``). ``arrears demo`` is its command line.
"""

from arrears.simulation.economy import Economy
from arrears.simulation.report import Report, build_report
from arrears.simulation.run import SimulationConfig
from arrears.simulation.simulate import Simulation, SimulationResult, simulate

__all__ = [
    "Economy",
    "Report",
    "Simulation",
    "SimulationConfig",
    "SimulationResult",
    "build_report",
    "simulate",
]
