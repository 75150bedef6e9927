/**
 * Core: the image model a converter needs (manifests in Docker schema 2 and OCI form, indexes and
 * manifest lists, image configs with {@code rootfs.diff_ids}), media types and platform resolution.
 * Wire records live in {@code image.json}; these domain types carry no Jackson annotations.
 */
package io.cvmfsthin.thinimage.image;
