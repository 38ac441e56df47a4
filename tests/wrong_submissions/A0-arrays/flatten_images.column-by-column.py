# fails: test_flatten_images
# why: each image transposed first, so it is read column by column
def flatten_images(images):
    images = np.asarray(images)
    return images.transpose(0, 2, 1).reshape(images.shape[0], -1)
