/**
 * Core: layer identity and stacking. Ids as dockerd sends them ({@link
 * io.cvmfsthin.driver.layer.LayerIds}), overlay2's 26-character short names ({@link
 * io.cvmfsthin.driver.layer.ShortIds}), the {@code lower} chain with its 128-entry limit ({@link
 * io.cvmfsthin.driver.layer.LowerChain}) and the record of a thin layer's resolved CVMFS lower dirs
 * ({@link io.cvmfsthin.driver.layer.ThinRecord}). Pure values and text formats, and one lock per
 * layer id ({@link io.cvmfsthin.driver.layer.LayerLocks}).
 */
package io.cvmfsthin.driver.layer;
