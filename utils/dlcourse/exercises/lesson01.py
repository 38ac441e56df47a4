"""Lesson 01's "your turn": a 3x3 kernel that finds vertical edges."""

import numpy as np

from dlcourse import images
from dlcourse.exercises import exercise


def step_image(bright_right=True, vertical=True, size=9):
    """A size x size image, 0 on one side of a straight edge through the middle and 1 on the other."""
    columns = np.arange(size) >= size // 2
    if not bright_right:
        columns = ~columns
    image = np.tile(columns.astype(np.float64), (size, 1))
    return image if vertical else image.T


def responses(kernel, image):
    """The kernel's cross-correlation with ``image`` away from the border (no zero padding in it)."""
    return images.filter_image(image, kernel)[2:-2, 2:-2]


@exercise(
    task="set vertical_edge to a 3x3 array that responds to vertical edges, bright on the right",
    right=np.array([[-1.0, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
    wrong=np.array([[1.0, 0, -1], [1, 0, -1], [1, 0, -1]]),
    praise="positive on a dark-to-bright vertical edge, zero on flat areas and on horizontal edges",
)
def check_vertical_edge(vertical_edge):
    kernel = np.asarray(vertical_edge, dtype=np.float64)
    if kernel.shape != (3, 3):
        return f"the kernel should be a 3x3 array, got shape {kernel.shape}"
    flat = responses(kernel, np.ones((9, 9)))
    if not np.allclose(flat, 0):
        return (f"on a flat area it gives {flat[0, 0]:g}, not 0: the weights must add up to 0 "
                "(so that only a change of brightness answers)")
    horizontal = responses(kernel, step_image(vertical=False))
    if not np.allclose(horizontal, 0):
        return ("it also answers a horizontal edge (dark above, bright below): "
                "each row of the kernel must add up to 0")
    edge = responses(kernel, step_image())
    if np.allclose(edge, 0):
        return "it gives 0 on a vertical edge too: the left and right columns need different weights"
    if np.all(edge <= 1e-12):
        return ("it is negative where the image goes from dark (left) to bright (right): "
                "that kernel finds bright-on-the-left edges (the filter is not flipped: its right column meets the right-hand pixels)")
    if np.any(edge < -1e-12):
        return "it is positive on some columns near the edge and negative on others: weigh the right column up, the left down"
