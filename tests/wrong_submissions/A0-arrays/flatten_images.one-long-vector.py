# fails: test_flatten_images
# why: the whole batch flattened into one vector
def flatten_images(images):
    return np.asarray(images).flatten()
