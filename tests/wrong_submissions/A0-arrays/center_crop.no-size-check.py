# fails: test_center_crop
# why: no ValueError: slicing silently returns a smaller window
def center_crop(image, size):
    height, width = image.shape
    top, left = max((height - size) // 2, 0), max((width - size) // 2, 0)
    return image[top:top + size, left:left + size]
