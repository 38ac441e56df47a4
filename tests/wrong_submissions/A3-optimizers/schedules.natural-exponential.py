# fails: test_schedules
# why: e**(-t/r) instead of 10**(-t/r)
def exponential_schedule(t, eta0, r):
    """eta0 * 10**(-t/r)."""
    return eta0 * np.exp(-np.asarray(t, dtype=np.float64) / r)


def power_schedule(t, eta0, r, c=1.0):
    """eta0 * (1 + t/r)**(-c)."""
    return eta0 * (1 + np.asarray(t, dtype=np.float64) / r) ** (-c)
