# fails: test_schedules
# why: integer division t // r: a staircase that drops only every r steps
def exponential_schedule(t, eta0, r):
    """eta0 * 10**(-t/r)."""
    return eta0 * 10.0 ** (-(np.asarray(t) // r))


def power_schedule(t, eta0, r, c=1.0):
    """eta0 * (1 + t/r)**(-c)."""
    return eta0 * (1 + np.asarray(t, dtype=np.float64) / r) ** (-c)
