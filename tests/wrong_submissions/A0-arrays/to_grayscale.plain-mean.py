# fails: test_to_grayscale
# why: the plain mean of the three channels
def to_grayscale(image):
    return np.asarray(image, dtype=np.float64).mean(axis=2) / 255.0
