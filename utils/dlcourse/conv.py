"""Convolution and pooling from scratch in NumPy (lesson 09, assignment A4).

Shapes follow Keras: images ``(N, H, W, C)``, kernels ``(KH, KW, C_in, C_out)``.
"Convolution" here is cross-correlation, as in every framework; the textbook
convolution, which flips the kernel first, is named apart: ``true_convolve1d``,
``true_convolve2d``. Backward passes take the upstream gradient ``dout`` (shaped like
the forward output) and the forward pass's inputs.
"""

import numbers

import numpy as np

from dlcourse.checks import check_array


def _whole(name, value, low):
    """``value`` as an int, or a readable error unless it is a whole number >= low."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return int(value)


def output_size(size, kernel, padding=0, stride=1, floor=False):
    """Output length ``O = (I - K + 2P)/S + 1`` of a sliding window along one axis
    (``size`` is I, ``kernel`` K, ``padding`` P, ``stride`` S).

    ``padding`` is the number of zeros added on each side, or Keras's ``"valid"``
    (no padding, extra rows dropped) or ``"same"`` (``O = ceil(I/S)``).
    Raises ``ValueError`` with the arithmetic when the window does not fit: a
    kernel larger than the padded input, or a stride that leaves input rows no
    window reaches. ``floor=True`` drops those rows instead, as frameworks do.
    """
    size = _whole("input size", size, 1)
    kernel = _whole("kernel size", kernel, 1)
    stride = _whole("stride", stride, 1)
    if padding == "same":
        return -(-size // stride)
    if padding == "valid":
        padding, floor = 0, True
    padding = _whole("padding", padding, 0)
    span = size - kernel + 2 * padding
    formula = f"O = ({size} - {kernel} + 2*{padding})/{stride} + 1 = {span / stride + 1:.4g}"
    if span < 0:
        raise ValueError(f"the {kernel}-wide kernel is larger than the padded input "
                         f"({size} + 2*{padding} = {size + 2 * padding}): {formula} < 1")
    if span % stride and not floor:
        raise ValueError(f"stride {stride} does not fit: {formula} is not a whole number; "
                         f"the last {span % stride} row(s)/column(s) of the padded input would never "
                         "be covered. Change the padding or the stride.")
    return span // stride + 1


def padding_amounts(size, kernel, stride=1, padding=0):
    """Zeros ``(before, after)`` added to one axis, as Keras pads for ``"same"``."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = max((output_size(size, kernel, "same", stride) - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2
    padding = _whole("padding", padding, 0)
    return padding, padding


def _pair(name, value):
    value = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(value) != 2:
        raise ValueError(f"{name} must be one number or a pair (rows, columns), got {value}")
    return value


def _pads(x_shape, window, stride, padding):
    """Zeros ``[(top, bottom), (left, right)]`` for images of shape (N, H, W, C), and (OH, OW)."""
    pads = [padding_amounts(n, k, s, padding) for n, k, s in zip(x_shape[1:3], window, stride)]
    out = tuple(output_size(n + sum(p), k, 0, s, floor=True)
                for n, p, k, s in zip(x_shape[1:3], pads, window, stride))
    return pads, out


def _pad(x, window, stride, padding):
    """Zero-pad images (N, H, W, C) for a window; returns (padded, (OH, OW))."""
    pads, out = _pads(x.shape, window, stride, padding)
    return np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)]), out


def _windows(xp, window, stride, out):
    """All windows of padded images as an array (N, OH, OW, KH, KW, C).

    One strided slice per kernel offset (u, v): KH*KW copies, no Python loop over pixels.
    """
    (kh, kw), (sh, sw), (oh, ow) = window, stride, out
    n, _, _, c = xp.shape
    windows = np.empty((n, oh, ow, kh, kw, c), dtype=xp.dtype)
    for u in range(kh):
        for v in range(kw):
            windows[:, :, :, u, v, :] = xp[:, u: u + sh * oh: sh, v: v + sw * ow: sw, :]
    return windows


def _check_conv(x, w, b):
    x = check_array("x (images N, H, W, C)", x, shape=(None, None, None, None), dtype_kind="fiu")
    w = check_array("w (kernels KH, KW, C_in, C_out)", w, shape=(None, None, x.shape[3], None),
                    dtype_kind="fiu")
    if b is None:
        b = np.zeros(w.shape[3], dtype=np.result_type(x, w, np.float32))
    b = check_array("b (one bias per filter)", b, shape=(w.shape[3],), dtype_kind="fiu")
    return x, w, b


def conv2d_naive(x, w, b=None, stride=1, padding=0):
    """Cross-correlation with four loops, read straight off the formula

    ``z[n, i, j, k] = b[k] + sum_{u, v, c} x[n, i*S + u, j*S + v, c] * w[u, v, c, k]``.
    ``padding``: zeros per side, ``"valid"`` or ``"same"``; ``stride``: int or pair.
    """
    x, w, b = _check_conv(x, w, b)
    (kh, kw), stride = w.shape[:2], _pair("stride", stride)
    xp, (oh, ow) = _pad(x, (kh, kw), stride, padding)
    y = np.zeros((x.shape[0], oh, ow, w.shape[3]), dtype=np.result_type(x, w, b, np.float32))
    for n in range(x.shape[0]):
        for i in range(oh):
            for j in range(ow):
                top, left = i * stride[0], j * stride[1]
                window = xp[n, top: top + kh, left: left + kw, :]
                for k in range(w.shape[3]):
                    y[n, i, j, k] = np.sum(window * w[:, :, :, k]) + b[k]
    return y


def im2col(x, window, stride=1, padding=0):
    """Unroll every window into a row: shape (N*OH*OW, KH*KW*C), and (OH, OW)."""
    x = check_array("x (images N, H, W, C)", x, shape=(None, None, None, None))
    window, stride = _pair("window", window), _pair("stride", stride)
    xp, out = _pad(x, window, stride, padding)
    cols = _windows(xp, window, stride, out)
    return cols.reshape(-1, window[0] * window[1] * x.shape[3]), out


def conv2d_im2col(x, w, b=None, stride=1, padding=0):
    """The same cross-correlation as one matrix product: im2col(x) @ w.reshape(-1, C_out)."""
    x, w, b = _check_conv(x, w, b)
    cols, (oh, ow) = im2col(x, w.shape[:2], stride, padding)
    y = cols @ w.reshape(-1, w.shape[3]) + b
    return y.reshape(x.shape[0], oh, ow, w.shape[3])


def col2im(cols, x_shape, window, stride=1, padding=0):
    """The adjoint of im2col: add every row of ``cols`` (N*OH*OW, KH*KW*C) back onto the
    pixels its window covers, then crop the padding; returns an array of shape ``x_shape``
    (N, H, W, C). A pixel inside several windows receives the sum."""
    window, stride = _pair("window", window), _pair("stride", stride)
    (kh, kw), (sh, sw) = window, stride
    n, h, w, c = x_shape
    ((top, bottom), (left, right)), (oh, ow) = _pads(x_shape, window, stride, padding)
    cols = check_array("cols (N*OH*OW, KH*KW*C)", cols, shape=(n * oh * ow, kh * kw * c))
    cols = cols.reshape(n, oh, ow, kh, kw, c)
    xp = np.zeros((n, h + top + bottom, w + left + right, c), dtype=np.result_type(cols, np.float32))
    for u in range(kh):
        for v in range(kw):
            xp[:, u: u + sh * oh: sh, v: v + sw * ow: sw, :] += cols[:, :, :, u, v, :]
    return xp[:, top: top + h, left: left + w, :]


def conv2d_backward_naive(dout, x, w, stride=1, padding=0):
    """Gradients ``(dx, dw, db)`` of a convolution, with the forward pass's four loops.

    ``dout`` (N, OH, OW, C_out) is dL/dz; ``x`` (N, H, W, C_in) and ``w`` (KH, KW, C_in, C_out)
    are the forward pass's inputs. Each output ``z[n, i, j, k]`` sends ``dout[n, i, j, k]``
    back to its window (times ``w[..., k]``) and to ``w[..., k]`` (times the window).
    Returns dx like x, dw like w, db (C_out,).
    """
    x, w, _ = _check_conv(x, w, None)
    (kh, kw), stride = w.shape[:2], _pair("stride", stride)
    pads, (oh, ow) = _pads(x.shape, (kh, kw), stride, padding)
    xp = np.pad(x.astype(np.float64), [(0, 0), pads[0], pads[1], (0, 0)])
    dout = check_array("dout (N, OH, OW, C_out)", dout, shape=(x.shape[0], oh, ow, w.shape[3]), dtype_kind="fiu")
    dxp, dw = np.zeros_like(xp), np.zeros(w.shape)
    for n in range(x.shape[0]):
        for i in range(oh):
            for j in range(ow):
                top, left = i * stride[0], j * stride[1]
                for k in range(w.shape[3]):
                    dxp[n, top: top + kh, left: left + kw, :] += w[:, :, :, k] * dout[n, i, j, k]
                    dw[:, :, :, k] += xp[n, top: top + kh, left: left + kw, :] * dout[n, i, j, k]
    (top, _), (left, _) = pads
    dx = dxp[:, top: top + x.shape[1], left: left + x.shape[2], :]
    return dx, dw, dout.sum(axis=(0, 1, 2))


def conv2d_backward(dout, x, w, stride=1, padding=0):
    """Gradients ``(dx, dw, db)`` of ``conv2d_im2col``, as matrix products.

    With ``cols = im2col(x)`` (N*OH*OW, KH*KW*C_in) and ``dZ = dout`` as (N*OH*OW, C_out):
    ``dw = cols.T @ dZ``, ``db = dZ`` summed over rows, and ``dx = col2im(dZ @ W_mat.T)``.
    Shapes as ``conv2d_backward_naive``.
    """
    x, w, _ = _check_conv(x, w, None)
    cols, (oh, ow) = im2col(x, w.shape[:2], stride, padding)
    dout = check_array("dout (N, OH, OW, C_out)", dout, shape=(x.shape[0], oh, ow, w.shape[3]), dtype_kind="fiu")
    dz = dout.reshape(-1, w.shape[3])
    dw = (cols.T @ dz).reshape(w.shape)
    dx = col2im(dz @ w.reshape(-1, w.shape[3]).T, x.shape, w.shape[:2], stride, padding)
    return dx, dw, dz.sum(axis=0)


def correlate2d(image, kernel, stride=1, padding=0):
    """Cross-correlate one 2-D image (H, W) with one 2-D kernel (KH, KW)."""
    image = check_array("image (H, W)", image, shape=(None, None), dtype_kind="fiub")
    kernel = check_array("kernel (KH, KW)", kernel, shape=(None, None), dtype_kind="fiub")
    x = image.astype(np.float64)[None, :, :, None]
    return conv2d_im2col(x, kernel.astype(np.float64)[:, :, None, None], None, stride, padding)[0, :, :, 0]


def true_convolve2d(image, kernel, stride=1, padding=0):
    """Textbook 2-D convolution: flip the kernel by 180 degrees, then cross-correlate."""
    kernel = check_array("kernel (KH, KW)", kernel, shape=(None, None))
    return correlate2d(image, kernel[::-1, ::-1], stride, padding)


def correlate1d(signal, kernel, padding=0, stride=1):
    """Cross-correlate a 1-D signal: ``z[t] = sum_k w[k] x[t*S + k]`` (zero padding)."""
    signal = check_array("signal", signal, shape=(None,), dtype_kind="fiu").astype(np.float64)
    kernel = check_array("kernel", kernel, shape=(None,), dtype_kind="fiu").astype(np.float64)
    before, after = padding_amounts(len(signal), len(kernel), stride, padding)
    padded = np.pad(signal, (before, after))
    count = output_size(len(padded), len(kernel), 0, stride, floor=True)
    return np.array([padded[t * stride: t * stride + len(kernel)] @ kernel for t in range(count)])


def true_convolve1d(signal, kernel, padding=0, stride=1):
    """Textbook 1-D convolution ``z[t] = sum_k w[k] x[t - k]``: flip, then cross-correlate."""
    kernel = check_array("kernel", kernel, shape=(None,), dtype_kind="fiu")
    return correlate1d(signal, kernel[::-1], padding, stride)


def _check_pool(x, size, stride):
    x = check_array("x (images N, H, W, C)", x, shape=(None, None, None, None), dtype_kind="fiu")
    size = _pair("pool size", size)
    stride = size if stride is None else _pair("stride", stride)
    for name, value in (("pool size", size), ("stride", stride)):
        for item in value:
            _whole(name, item, 1)
    return x, size, stride


def _pool_windows(x, size, stride):
    xp, out = _pad(x, size, stride, "valid")
    windows = _windows(xp, size, stride, out)
    n, oh, ow, kh, kw, c = windows.shape
    return windows.reshape(n, oh, ow, kh * kw, c)


def max_pool(x, size=2, stride=None):
    """Max pooling, ``"valid"`` like Keras's MaxPooling2D; stride defaults to the size."""
    x, size, stride = _check_pool(x, size, stride)
    return _pool_windows(x, size, stride).max(axis=3)


def avg_pool(x, size=2, stride=None):
    """Average pooling, ``"valid"`` like Keras's AveragePooling2D."""
    x, size, stride = _check_pool(x, size, stride)
    return _pool_windows(x, size, stride).mean(axis=3)


def max_pool_backward(dout, x, size=2, stride=None):
    """Gradient of max pooling: each window sends ``dout`` to the input that was its max
    (the first one on ties); overlapping windows add up."""
    x, size, stride = _check_pool(x, size, stride)
    windows = _pool_windows(x, size, stride)
    dout = check_array("dout", dout, shape=windows.shape[:3] + (x.shape[3],), dtype_kind="fiu")
    winner = windows.argmax(axis=3)[:, :, :, None, :] == np.arange(windows.shape[3])[:, None]
    return col2im((winner * dout[:, :, :, None, :]).reshape(-1, winner.shape[3] * x.shape[3]),
                  x.shape, size, stride, "valid")


def avg_pool_backward(dout, x, size=2, stride=None):
    """Gradient of average pooling: each window shares ``dout`` equally among its inputs."""
    x, size, stride = _check_pool(x, size, stride)
    count = size[0] * size[1]
    _, out = _pads(x.shape, size, stride, "valid")
    dout = check_array("dout", dout, shape=(x.shape[0], *out, x.shape[3]), dtype_kind="fiu")
    shares = np.broadcast_to(dout[:, :, :, None, :] / count, dout.shape[:3] + (count, x.shape[3]))
    return col2im(shares.reshape(-1, count * x.shape[3]), x.shape, size, stride, "valid")


def max_unpool(pooled, x, size=2, stride=None):
    """Max unpooling: put each pooled value back where its window's max was, zeros elsewhere.

    This is exactly the backward pass of max pooling, with ``pooled`` as the gradient.
    """
    return max_pool_backward(pooled, x, size, stride)


def receptive_field(layers):
    """Receptive field in the input of one output unit after ``[(kernel, stride), ...]``.

    Each layer adds ``(K - 1)`` times the product of the strides before it.
    """
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (_whole("kernel size", kernel, 1) - 1) * jump
        jump *= _whole("stride", stride, 1)
    return field
