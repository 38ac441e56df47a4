# fails: test_to_grayscale
# why: the weights in reverse order, as if the channels were BGR (OpenCV's order)
def to_grayscale(image):
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected (H, W, 3), got {image.shape}")
    return image.astype(np.float64) @ np.array([0.114, 0.587, 0.299]) / 255.0
