/**
 * Edge: the local content-addressed object cache. Objects are stored inflated and verified under
 * {@code data/XX/<rest><algorithm><type>.<crc32c>}; downloads land in {@code txn/} and are renamed
 * atomically into place only after their hash and size check out, so nothing partial or corrupt is
 * ever visible. No fsync per object: after an unclean shutdown (the {@code dirty} marker) each
 * object's CRC32C is checked on first use. A size quota ({@code CVMFS_QUOTA_LIMIT}) evicts the
 * least recently used objects; the cache survives restarts.
 */
package io.cvmfsthin.cvmfs.cache;
