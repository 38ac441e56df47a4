"""Images as arrays: named 3x3 kernels, pixel patches and the lesson-01 viewer.

The filtering here uses SciPy (``scipy.ndimage.correlate``); lesson 09 writes the
same cross-correlation from scratch and checks it against this.
"""

import numpy as np
from scipy import ndimage

from dlcourse import figures

KERNELS = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64),
    "edge": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64),
    "box blur": np.full((3, 3), 1 / 9),
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16,
    "sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64),
    "sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64),
}


# The 16x12 patch of a portrait that the MSIS549 deck ("What computers see") prints on
# three slides. The slides disagree with each other in a few entries: lesson 01 asks
# the student to find where, with NumPy.
_SLIDE_TEXT = (
    """
    157 153 174 148 150 162 129 151 172 161 165 156
    155 182 163  74  75  62  33  17 110 210 180 154
    180 180  50  14  34   6  10  33  48 106 159 181
    206 109   5 124 131 111 120 204 166  15  56 180
    194  68 137 251 237 239 239 228 227  87  71 201
    172 105 207 233 233 214 220 239 228  98  74 206
    188  88 179 209 185 215 211 158 128  75  20 169
    189  97 165  84  10 168 134  11  31  62  22 148
    199 168 191 193 158 227 178 143 182 106  36 190
    205 174 155 252 236 231 149 178 228  43  95 234
    190 216 116 149 236 187  85 150  79  38 218 241
    190 224 147 108 227 210 127 103  36 101 255 224
    190 214 173  66 103 143  96  50   2 109 249 215
    187 196 235  75   1  81  47   0   6 217 255 211
    183 202 237 146   0   0  12 108 200 138 243 236
    195 206 123 207 177 121 123 200 175  13  96 218
""",
    """
    157 153 174 168 150 152 129 151 172 161 165 156
    155 182 163  74  75  62  33  17 110 210 180 154
    180 180  50  14  34   6  10  33  48 106 159 181
    206 109   5 124 131 111 120 204 166  15  56 180
    194  68 137 251 237 239 239 228 227  87  71 201
    172 105 207 233 233 214 220 239 228  98  74 206
    188  88 179 209 185 215 211 158 128  75  20 169
    189  97 165  84  10 168 134  11  31  62  22 148
    199 168 191 193 158 227 178 143 182 106  36 190
    205 174 155 252 236 231 149 178 228  43  95 234
    190 216 116 149 236 187  85 150  79  38 218 241
    190 224 147 108 227 210 127 103  36 101 255 224
    190 214 173  66 103 143  96  50   2 109 249 215
    187 196 235  75   1  81  47   0   6 217 255 211
    183 202 237 146   0   0  12 108 200 138 243 236
    195 206 123 207 177 121 123 200 175  13  96 218
""",
    """
    167 153 174 168 150 152 129 161 172 161 155 156
    155 182 163  74  75  62  33  17 110 210 180 154
    180 180  58  14  34   6  10  33  48 106 159 181
    206 109   6 124 131 111 120 204 166  15  56 180
    194  68 137 251 237 239 239 228 227  87  71 207
    172 105 207 233 233 214 220 239 228  98  74 206
    188  88 179 209 185 215 211 168 139  75  20 169
    189  97 165  84  10 168 134  11  31  62  22 148
    199 168 191 193 198 227 178 143 182 106  36 190
    205 174 165 252 236 231 149 178 208  43  95 234
    190 216 116 149 236 187  86 160  79  36 218 241
    190 224 147 108 227 210 127 102  36 101 255 224
    190 214 173  66 103 143  96  50   2 109 249 215
    187 196 239  76   1  81  47   0   6 217 255 211
    189 202 237 145   0   0  12 108 200 138 243 236
    196 206 123 207 177 121 123 200 175  13  96 218
""",
)


def _parse_matrices(texts, dtype):
    """Whitespace-separated matrices, one per text, as arrays."""
    return tuple(np.array([row.split() for row in text.strip().splitlines()], dtype=dtype) for text in texts)


SLIDE_PIXELS = _parse_matrices(_SLIDE_TEXT, np.uint8)


# A handwritten digit that the PKU deck ("Deep Learning", CNN section) prints as a
# 22x15 matrix, twice, one slide apart. The copies disagree, and some entries cannot be
# 8-bit pixels at all: kept as printed (int64, not uint8) for lesson 01's find-the-bug.
_DIGIT_SLIDE_TEXT = (
    """
       0    2   15    0    0   11   10    0    0    0    0    9    9    0    0
       0    0    0    4   60  157  236  255  255  177   95   61   32    0    0
       0   10   16  119  238  255  244  245  243  250  249  255  227  105   10
       0   14  170  255  255  244  254  255  253  245  255  249  253  251  124
       2   98  255  228  255  251  254  211  141  116  172  215  251  238  255
      13  217  243  255  158   38  226   52    2    0   10   13  232  255  255
      16  229  252  254   49   12    0    0    7    7    0   70  237  252  235
       6  141  245  255  212   25   11    9    3    0  315  236  243  255  133
       0   87  252  250  248  213   60    0    1  121  252  255  248  144    6
       0   13   11  255  255  245  255  182  181  248  252  242  208   36    0
       1    0    5  111  251  255  241  255  247  255  241  162   17    0    7
       0    0    0    4   58  251  255  246  254  253  255  180   11    0    1
       0    0    4   97  255  255  255  248  252  255  244  255  182   10    0
       0   22  200  252  246  251  241  100   24   11  255  245  255  194    9
       0  111  255  242  255  156   24    0    0    6   39  255  232  230   56
       0  218  251  250  137    7   11    0    0    0    2   62  255  250  125
       0  173  255  255  101    9   20    0   13    3   13  182  251  245   61
       0  107  251  241  255  230   88   55   19  110  217  248  253  255   52
       0   18  140  250  255  247  255  255  255  249  255  240  255  125    0
       0    0   23  111  215  255  250  248  255  255  248  248  118   14   12
       0    0    6    1    0   52  383  233  252  252  134   37    0    0    4
       0    0    5    5    0    0    0    0    0   14    1    0    6    6    0
""",
    """
       0    2   15    0    0   11   10    0    0    0    0    9    9    0    0
       0    0    0    4   60  157  236  255  255  177   95   61   32    0    0
       0   10   16  119  238  255  244  245  243  250  249  255  222  103   10
       0   14  170  255  255  244  254  255  253  245  255  249  253  251  124
       2   98  255  228  255  251  254  211  141  116  122  215  251  238  255
      13  217  243  255  155   33  226   52    2    0   10   13  232  255  255
      16  229  252  264   49   12    0    0    7    7    0   70  237  252  235
       6  141  245  255  217   25   11    9    3    0  115  236  243  255  137
       0   87  252  260  248  215   60    0    1  121  252  255  248  144    6
       0   13  113  255  255  245  255  182  181  248  252  242  208   36    0
       1    0 5117  251  255  241  255  247  255  241  162   17    0    7    0
       0    0    0    4   58  251  255  246  254  253  255  120   11    0    1
       0    0    4   97  255  255  255  248  252  255  244  255  182   10    0
       0   22  206  252  246  251  241  100   24  113  255  245  255  194    9
       0  111  255  242  255  158   24    0    0    6   39  255  232  230   56
       0  218  251  260  137    7   11    0    0    2   62  255  250  125    3
       0  173  255  255  101    9   20    0   13    3   13  182  251  245   61
       0  107  251  241  255  230   98   55   18  118  217  248  253  255   52
       0   18  146  260  255  247  255  255  255  249  255  240  255  129    0
       0    0   23  113  215  255  250  248  255  255  248  248  118   14   12
       0    0    6    1    0   52  153  233  255  252  147   37    0    0    4
       0    0    5    5    0    0    0    0    0   34    1    0    6    5    0
""",
)
DIGIT_SLIDE_VALUES = _parse_matrices(_DIGIT_SLIDE_TEXT, np.int64)


def pixel_patch(image, row, col, size=5):
    """The ``size`` x ``size`` window of a 2-D image centred on (row, col).

    Returns ``(patch, (top, left))``; the window is moved inside the image near
    the borders, so the patch always has the full size.
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"expected a 2-D (grayscale) image, got shape {image.shape}")
    height, width = image.shape
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"pixel ({row}, {col}) is outside the {height}x{width} image")
    if size > min(height, width):
        raise ValueError(f"a {size}x{size} patch does not fit in a {height}x{width} image")
    top = min(max(row - size // 2, 0), height - size)
    left = min(max(col - size // 2, 0), width - size)
    return image[top: top + size, left: left + size], (top, left)


def filter_image(image, kernel):
    """Cross-correlate a 2-D image with a 2-D kernel, output the same size (zero padding)."""
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"expected 2-D image and kernel, got {image.shape} and {kernel.shape}")
    return ndimage.correlate(image, kernel, mode="constant", cval=0.0)


def kernel_response(patch, kernel):
    """The filter's output at the centre of a patch: sum of patch * kernel (3x3 centre)."""
    patch = np.asarray(patch, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    k = kernel.shape[0]
    centre = patch.shape[0] // 2
    window = patch[centre - k // 2: centre + k // 2 + 1, centre - k // 2: centre + k // 2 + 1]
    return float(np.sum(window * kernel))


def text_color(rgba):
    """"white" for text on a dark cell of colour ``rgba``, "black" on a light one."""
    red, green, blue = rgba[:3]
    return "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 0.5 else "black"


def write_values(ax, shown, values, fmt, **text_options):
    """Write each value of ``values`` (2-D) on its cell of ``shown`` (what ``ax.imshow``
    returned), white on dark cells and black on light ones. Returns the texts, row by
    row, for ``rewrite_values``."""
    values = np.asarray(values)
    texts = [ax.text(col, row, "", ha="center", va="center", **text_options) for row, col in np.ndindex(values.shape)]
    rewrite_values(texts, shown, values, fmt)
    return texts


def rewrite_values(texts, shown, values, fmt):
    """Put new ``values`` (same shape) in the texts ``write_values`` made, recoloured."""
    values = np.asarray(values)
    for text, value, rgba in zip(texts, values.ravel(), shown.to_rgba(values).reshape(-1, 4)):
        text.set_text(format(value, fmt))
        text.set_color(text_color(rgba))


def pixel_viewer_widget(image, size=7):
    """Sliders for a pixel position and a kernel menu over a 2-D image (values 0..255).

    Shows the image with the patch outlined, the patch's numbers, and the filtered
    image. ``widget.result`` holds ``patch``, ``response`` (the filter at the
    chosen pixel) and ``kernel``.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    image = np.asarray(image, dtype=np.float64)
    height, width = image.shape

    fig = Figure(figsize=(13, 4.2))
    image_ax, patch_ax, filtered_ax = fig.subplots(1, 3)
    gray = {"cmap": "gray", "vmin": 0, "vmax": 255}
    image_ax.imshow(image, **gray)
    outline = image_ax.add_patch(Rectangle((0, 0), size, size, fill=False, color="C1", lw=2))
    patch_shown = patch_ax.imshow(np.zeros((size, size)), **gray)
    patch_texts = write_values(patch_ax, patch_shown, np.zeros((size, size)), ".0f", fontsize=8)
    patch_ax.set_title(f"the numbers the computer sees ({size}x{size})")
    filtered_shown = filtered_ax.imshow(image, **gray)
    for ax in (image_ax, patch_ax, filtered_ax):
        ax.set_xticks([])
        ax.set_yticks([])
    # The two large images are drawn once per kernel; a new pixel redraws the outline and the patch.
    canvas = figures.layered_canvas(fig, [[outline, image_ax.title, patch_ax]])
    picture = figures.Picture(fig)
    filtered = {}  # the image after the kernel on the right: {kernel name: filtered image}

    def show(row, col, kernel_name):
        kernel = KERNELS[kernel_name]
        patch, (top, left) = pixel_patch(image, row, col, size)
        if kernel_name not in filtered:
            filtered.clear()
            filtered[kernel_name] = filter_image(image, kernel)
            filtered_shown.set_data(np.clip(filtered[kernel_name], 0, 255))
            filtered_ax.set_title(f"after the '{kernel_name}' kernel (clipped to 0..255)")
            canvas.changed()
        outline.set_xy((left - 0.5, top - 0.5))
        image_ax.set_title(f"image {height}x{width}: pixel ({row}, {col})")
        patch_shown.set_data(patch)
        rewrite_values(patch_texts, patch_shown, patch, ".0f")
        picture.draw()
        return {"patch": patch, "response": float(filtered[kernel_name][row, col]), "kernel": kernel}

    return figures.interactive(
        show,
        picture,
        row=widgets.IntSlider(value=height // 2, min=0, max=height - 1, description="row"),
        col=widgets.IntSlider(value=width // 2, min=0, max=width - 1, description="column"),
        kernel_name=widgets.Dropdown(options=list(KERNELS), value="identity", description="kernel"),
    )
