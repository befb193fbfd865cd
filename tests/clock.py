"""The test suite's clock (time-machine): the instant every test starts from, and moving a test elsewhere."""

from datetime import datetime

import time_machine

from network.calendar import PARIS

# Every test but the browser and single-sign-on ones runs from this instant, still ticking, so that the day CI runs
# decides no result: the factories' meetings of 2027 stay to come, « this year » is 2026. The browser tests keep the
# real clock (Chromium checks cookies against it), and so do the tests that use the OpenID provider (node signs its
# tokens with it): see tests/conftest.py suite_clock.
SUITE_NOW = datetime(2026, 12, 1, 10, tzinfo=PARIS)


def clock_at(moment: datetime):
    """The whole process's clock moved to `moment`, still ticking: a test that needs another day than SUITE_NOW.
    Use it as a context manager."""
    return time_machine.travel(moment, tick=True)
