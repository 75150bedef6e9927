/**
 * Core: the thin-image descriptor {@code thin.json} (thin-image.md §1, §2): the domain model
 * ({@link io.cvmfsthin.thinimage.thin.ThinImage}, {@link io.cvmfsthin.thinimage.thin.ThinLayer},
 * {@link io.cvmfsthin.thinimage.thin.CvmfsUrl}), the validating reader and the deterministic
 * writer. Pure: bytes in, values out; no I/O.
 */
package io.cvmfsthin.thinimage.thin;
