/**
 * Core: CernVM-FS content hashes (SHA-1, RIPEMD-160, SHAKE-128), object names and paths, and zlib
 * compression with a size cap. Pure functions over bytes and streams; no I/O of its own.
 */
package io.cvmfsthin.cvmfs.object;
