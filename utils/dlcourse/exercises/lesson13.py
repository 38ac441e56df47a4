"""Lesson 13's "your turn": Luong's dot attention for one sequence, weights and context."""

import numpy as np

from dlcourse import attention
from dlcourse.exercises import exercise

RNG = np.random.default_rng(13)
DECODER_STATES = RNG.normal(size=(3, 4))  # T = 3 output steps, d = 4
ENCODER_STATES = RNG.normal(size=(5, 4))  # S = 5 source positions


def reference(decoder_states, encoder_states):
    """``attention.attend`` with the dot score, for one sequence: weights (T, S), context (T, d)."""
    context, weights = attention.attend(decoder_states[None], encoder_states[None], "dot")
    return weights[0], context[0]


def softmax_over_steps(decoder_states, encoder_states):
    """A plausible mistake: the softmax taken over the output steps t instead of the source positions s."""
    scores = decoder_states @ encoder_states.T
    weights = np.exp(scores) / np.exp(scores).sum(axis=0)
    return weights, weights @ encoder_states


@exercise(
    task="write dot_attention(H, H_bar): weights alpha (T, S) and context c (T, d) for decoder states H (T, d), "
         "encoder states H_bar (S, d)",
    right=reference,
    wrong=softmax_over_steps,
    praise="each row of weights is a softmax over the source positions, and each context row their weighted mean",
)
def check_dot_attention(dot_attention):
    answer = dot_attention(DECODER_STATES.copy(), ENCODER_STATES.copy())
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return "return two arrays: weights, context"
    weights, context = (np.asarray(a, dtype=np.float64) for a in answer)
    right_weights, right_context = reference(DECODER_STATES, ENCODER_STATES)
    scores = DECODER_STATES @ ENCODER_STATES.T
    if weights.shape != right_weights.shape:
        return (f"weights should have shape (T, S) = {right_weights.shape}, one row per output step, "
                f"got {weights.shape}")
    if not np.allclose(weights, right_weights):
        if np.allclose(weights, scores):
            return "these are the scores h_t . hbar_s; the weights are their softmax over s"
        if np.allclose(weights.sum(axis=0), 1):
            return "your columns sum to 1: take the softmax over the source positions s (the last axis), one row per t"
        if not np.allclose(weights.sum(axis=1), 1):
            return "each row of weights should sum to 1 (a distribution over the source positions)"
        return "the rows sum to 1 but are not softmax(h_t . hbar_s) over s: check the score (a dot product of rows)"
    if context.shape != right_context.shape:
        return f"context should have shape (T, d) = {right_context.shape}, got {context.shape}"
    if not np.allclose(context, right_context):
        return "the weights are right; the context is c_t = sum_s alpha_t(s) hbar_s, i.e. weights @ H_bar"
