package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entry of a {@link Publication.Entries} source, as a tar header would describe it: a name
 * relative to the published tree (cleaned from its root as Docker cleans layer names: {@link
 * io.cvmfsthin.cvmfs.tar.TarPaths}), its kind, metadata, the target of a symbolic or hard link,
 * device numbers and extended attributes with their exact bytes. A regular file's {@code sizeBytes}
 * bytes of content follow it in {@link EntryReader#content()}.
 *
 * @param kind the file type; for a hard link, {@link EntryKind#REGULAR} with {@code hardLink} set
 * @param permissions {@code mode & 07777}
 * @param sizeBytes a regular file's content size; ignored for every other kind
 * @param linkTarget a symlink's target, or the name of the earlier entry a hard link names; else
 *     null
 * @param hardLink whether this entry is a hard link to {@code linkTarget}
 * @param xattrs names and exact values; empty if none
 */
public record PublishEntry(
    String name,
    EntryKind kind,
    int permissions,
    long uid,
    long gid,
    long mtimeSeconds,
    long sizeBytes,
    int devMajor,
    int devMinor,
    String linkTarget,
    boolean hardLink,
    SortedMap<String, byte[]> xattrs) {

  public PublishEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    xattrs = xattrs == null ? new TreeMap<>() : new TreeMap<>(xattrs);
    if ((kind == EntryKind.SYMLINK || hardLink) && linkTarget == null) {
      throw new IllegalArgumentException(name + ": a link needs its target");
    }
  }

  /** A directory. */
  public static PublishEntry directory(
      String name, int permissions, long uid, long gid, long mtimeSeconds) {
    return new PublishEntry(
        name, EntryKind.DIRECTORY, permissions, uid, gid, mtimeSeconds, 0, 0, 0, null, false, null);
  }

  /** A regular file whose {@code sizeBytes} bytes follow. */
  public static PublishEntry file(
      String name, int permissions, long uid, long gid, long mtimeSeconds, long sizeBytes) {
    return new PublishEntry(
        name,
        EntryKind.REGULAR,
        permissions,
        uid,
        gid,
        mtimeSeconds,
        sizeBytes,
        0,
        0,
        null,
        false,
        null);
  }

  /** The same entry with these extended attributes. */
  public PublishEntry withXattrs(Map<String, byte[]> values) {
    return new PublishEntry(
        name,
        kind,
        permissions,
        uid,
        gid,
        mtimeSeconds,
        sizeBytes,
        devMajor,
        devMinor,
        linkTarget,
        hardLink,
        new TreeMap<>(values));
  }

  /** Whether content follows this entry. */
  public boolean hasContent() {
    return kind == EntryKind.REGULAR && !hardLink && sizeBytes > 0;
  }
}
