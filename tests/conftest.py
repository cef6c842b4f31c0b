"""Settings every test shares.

Hypothesis's timing checks (deadlines, slow data generation) fail tests for
the machine's load, not for the code: CI machines are shared and small. They
are off for the whole suite; what a property asserts is unchanged.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("arrears", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("arrears")
