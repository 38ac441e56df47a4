"""Lesson 04's "your turn": set the nine weights of a 2-2-1 sigmoid network that computes XNOR."""

import numpy as np

from dlcourse import xor
from dlcourse.exercises import exercise

XNOR_TARGETS = 1 - xor.XOR_TARGETS  # 1 when x1 == x2


@exercise(
    task="set xnor_params (e.g. with xor.params_from_values) to a 2-2-1 sigmoid network whose output is XNOR",
    right=xor.params_from_values(20, -20, 20, -20, -10, 30, -20, -20, 30),
    wrong=xor.params_from_values(20, -20, 20, -20, -10, 30, 20, 20, -30),
    praise="all four points on the right side of 0.5",
)
def check_xnor(xnor_params):
    try:
        hidden, out = xor.xor_net(xor.XOR_INPUTS, xnor_params, "sigmoid")
    except (KeyError, TypeError, ValueError) as error:
        return ("give a dict with W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,), "
                f"as xor.params_from_values(w11, w12, w21, w22, b1, b2, v1, v2, c) returns ({error})")
    predicted = xor.classify(out)
    if np.array_equal(predicted, XNOR_TARGETS):
        return None
    if np.array_equal(predicted, xor.XOR_TARGETS):
        return "this network computes XOR, the exact opposite: keep the hidden layer and negate the output unit (v1, v2 and c)"
    if len(set(predicted)) == 1:
        return (f"it outputs class {predicted[0]} for all four points: "
                "the output unit needs a hidden layer whose units tell (0,0) and (1,1) apart from the mixed points")
    wrong = [f"{tuple(int(v) for v in x)} -> {o:.2f} (hidden {np.round(h, 2).tolist()})"
             for x, h, o, t in zip(xor.XOR_INPUTS, hidden, out, XNOR_TARGETS) if (o >= 0.5) != t]
    return ("these points land on the wrong side of 0.5: " + "; ".join(wrong)
            + ". XNOR is 1 on (0,0) and (1,1): e.g. OR of AND and NOR, or NOT of the lesson's XOR")
