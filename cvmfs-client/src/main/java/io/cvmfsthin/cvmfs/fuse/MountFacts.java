package io.cvmfsthin.cvmfs.fuse;

/** What the per-mount magic xattrs report, read at the time of the call. */
record MountFacts(String fqrn, long revision, String rootHash, String host, String counters) {}
