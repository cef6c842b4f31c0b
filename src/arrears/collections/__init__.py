"""Collections: what happens after a borrower misses a due date.

``compliance`` is the gate every outbound action passes, when it is planned
and again when it is executed. Pure: standard library and ``zoneinfo`` only.
"""
