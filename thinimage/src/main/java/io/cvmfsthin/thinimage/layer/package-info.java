/**
 * Core: layer blobs as streams. Detects the compression (gzip, zstd, none) from the media type and
 * the first bytes, decompresses while streaming, and checks the blob digest and size and the
 * uncompressed digest ({@code diff_id}) as the bytes pass, so a layer is never held whole in memory
 * and never accepted unverified.
 */
package io.cvmfsthin.thinimage.layer;
