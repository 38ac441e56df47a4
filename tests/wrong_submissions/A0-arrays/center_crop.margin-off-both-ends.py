# fails: test_center_crop
# why: cuts the floor of the margin off both ends, which leaves one row/column too many when the margin is odd
def center_crop(image, size):
    height, width = image.shape
    if size > min(height, width):
        raise ValueError(f"cannot crop {size}x{size} from a {height}x{width} image")
    top, left = (height - size) // 2, (width - size) // 2
    return image[top:height - top, left:width - left]
