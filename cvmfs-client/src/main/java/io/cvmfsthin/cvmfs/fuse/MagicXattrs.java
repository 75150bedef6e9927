package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The stock client's informational xattrs that are cheap to answer (spec §10.7), plus our counters
 * (core). Per entry: {@code user.hash} (files with a content hash), {@code user.chunks} and {@code
 * user.compression} (regular files), {@code user.rawlink} (symlinks). Per mount: {@code user.fqrn},
 * {@code user.revision}, {@code user.root_hash}, {@code user.host}, and {@code user.counters} (our
 * counters, one {@code name=value} per line). Every path answers them; as with the stock default
 * ({@code CVMFS_MAGIC_XATTRS_VISIBILITY=rootonly}) only the root lists them.
 */
final class MagicXattrs {
  static final String COUNTERS = "user.counters";
  private static final List<String> PER_MOUNT =
      List.of("user.fqrn", "user.revision", "user.root_hash", "user.host", COUNTERS);

  /** The number of chunks of a regular file (1 if stored as one object). */
  @FunctionalInterface
  interface ChunkCount {
    int of(DirectoryEntry e) throws IOException;
  }

  private MagicXattrs() {}

  /** The magic names {@code listxattr} shows for an entry (only the root shows any). */
  static List<String> listed(DirectoryEntry e) {
    if (!e.path().isEmpty()) {
      return List.of();
    }
    List<String> names = new ArrayList<>(perEntry(e));
    names.addAll(PER_MOUNT);
    return names;
  }

  /** The value of magic xattr {@code name} for {@code e}, or null if it has none. */
  static String value(String name, DirectoryEntry e, MountFacts m, ChunkCount chunks)
      throws IOException {
    switch (name) {
      case "user.fqrn":
        return m.fqrn();
      case "user.revision":
        return Long.toString(m.revision());
      case "user.root_hash":
        return m.rootHash();
      case "user.host":
        return m.host();
      case COUNTERS:
        return m.counters();
      case "user.hash":
        return e.hash() == null ? null : e.hash().toString();
      case "user.chunks":
        return e.isRegular() ? Integer.toString(chunks.of(e)) : null;
      case "user.compression":
        return e.isRegular() ? e.compression().name().toLowerCase(java.util.Locale.ROOT) : null;
      case "user.rawlink":
        return e.isSymlink() ? e.symlink() : null;
      default:
        return null;
    }
  }

  private static List<String> perEntry(DirectoryEntry e) {
    List<String> names = new ArrayList<>();
    if (e.hash() != null) {
      names.add("user.hash");
    }
    if (e.isRegular()) {
      names.add("user.chunks");
      names.add("user.compression");
    }
    if (e.isSymlink()) {
      names.add("user.rawlink");
    }
    return names;
  }
}
