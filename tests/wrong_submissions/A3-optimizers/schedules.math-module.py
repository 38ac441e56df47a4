# fails: test_schedules
# why: math.pow works on one number only, not on an array of steps
import math


def exponential_schedule(t, eta0, r):
    """eta0 * 10**(-t/r)."""
    return eta0 * math.pow(10.0, -t / r)


def power_schedule(t, eta0, r, c=1.0):
    """eta0 * (1 + t/r)**(-c)."""
    return eta0 * math.pow(1 + t / r, -c)
