# fails: test_to_grayscale
# why: no shape check: a 2-D (H, 3) array is silently treated as one row of pixels
def to_grayscale(image):
    return np.asarray(image, dtype=np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0
