# fails: test_center_crop
# why: an odd margin rounded up, so the extra row/column goes to the top/left
def center_crop(image, size):
    height, width = image.shape
    if size > min(height, width):
        raise ValueError(f"cannot crop {size}x{size} from a {height}x{width} image")
    top, left = (height - size + 1) // 2, (width - size + 1) // 2
    return image[top:top + size, left:left + size]
