# fails: test_flatten_images
# why: Fortran (column-major) order: each row of the result mixes the images
def flatten_images(images):
    images = np.asarray(images)
    return images.reshape(images.shape[0], -1, order="F")
