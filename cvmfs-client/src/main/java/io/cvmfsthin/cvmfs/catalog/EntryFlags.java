package io.cvmfsthin.cvmfs.catalog;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;

/** The {@code flags} bit field of a catalog row (spec §6.5). */
public final class EntryFlags {
  public static final int DIR = 1;
  public static final int NESTED_MOUNTPOINT = 2;
  public static final int FILE = 4;
  public static final int LINK = 8;
  public static final int SPECIAL = 16;
  public static final int NESTED_ROOT = 32;
  public static final int CHUNKED = 64;
  public static final int EXTERNAL = 128;
  public static final int BIND_MOUNTPOINT = 0x4000;
  public static final int HIDDEN = 0x8000;
  public static final int DIRECT_IO = 0x10000;

  private EntryFlags() {}

  public static boolean has(int flags, int bit) {
    return (flags & bit) != 0;
  }

  /**
   * The flags the stock publisher writes for an entry ({@code CreateDatabaseFlags}): nested root,
   * else mountpoint; then the kind; then hash and compression bits for regular files.
   */
  public static int of(DirectoryEntry e, boolean nestedRoot, boolean nestedMountpoint) {
    int flags = 0;
    if (nestedRoot) {
      flags |= NESTED_ROOT;
    } else if (nestedMountpoint) {
      flags |= NESTED_MOUNTPOINT;
    }
    switch (e.kind()) {
      case DIRECTORY -> flags |= DIR;
      case SYMLINK -> flags |= FILE | LINK;
      case FIFO, SOCKET, CHAR_DEVICE, BLOCK_DEVICE -> flags |= FILE | SPECIAL;
      case REGULAR -> {
        flags |= FILE | e.compression().flagBits();
        if (e.chunked()) {
          flags |= CHUNKED;
        }
      }
    }
    if (e.hash() != null || e.chunked()) {
      HashAlgorithm a = e.hash() != null ? e.hash().algorithm() : e.hashAlgorithm();
      flags |= a.flagBits();
    }
    return flags;
  }

  /** The compression a regular file's flags record. */
  public static Compression compression(int flags) {
    return Compression.fromFlags(flags);
  }
}
