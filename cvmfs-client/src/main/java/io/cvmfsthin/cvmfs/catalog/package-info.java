/**
 * Core: the file-catalog format (spec §6): path hashing, entry flags, the xattr blob, directory
 * entries and the SQLite schema every catalog carries. Values in, values out; the SQLite I/O lives
 * in the {@code sqlite} (read) and {@code publish} (write) edges.
 */
package io.cvmfsthin.cvmfs.catalog;
