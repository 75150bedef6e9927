/**
 * Core: the signed repository documents (spec §2, §3): the manifest {@code .cvmfspublished}, the
 * whitelist {@code .cvmfswhitelist}, their two signature schemes, and the trust chain from the
 * master key to the root catalog hash. Bytes and keys in, verified values out.
 */
package io.cvmfsthin.cvmfs.manifest;
