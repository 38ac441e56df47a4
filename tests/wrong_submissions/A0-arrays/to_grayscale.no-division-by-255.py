# fails: test_to_grayscale
# why: returns the luminance in 0..255 instead of 0..1
def to_grayscale(image):
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected (H, W, 3), got {image.shape}")
    return image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
