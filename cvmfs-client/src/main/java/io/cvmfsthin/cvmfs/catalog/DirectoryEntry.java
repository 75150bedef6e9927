package io.cvmfsthin.cvmfs.catalog;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entry of a repository as a catalog row describes it (spec §6.3), path included.
 *
 * @param path repository path ("" for the root, else "/a/b")
 * @param mode full {@code st_mode}, type bits included
 * @param sizeBytes uncompressed size of a regular file; length of a symlink's target; 0 for
 *     specials; the publisher's {@code st_size} for directories
 * @param rdev device number ({@link io.cvmfsthin.cvmfs.linux.DeviceNumbers}) of char and block
 *     devices, else 0
 * @param mtimeSeconds modification time, seconds since the epoch
 * @param mtimeNanos nanosecond part, 0 when unknown
 * @param hash content hash of a regular, not chunked file; null otherwise
 * @param hashAlgorithm the algorithm of {@code hash} or of the chunks
 * @param compression how the file's objects are stored
 * @param chunked the content is in {@code chunks} rows
 * @param symlink the raw target of a symlink, "" otherwise
 * @param hardlinkGroup 0, or the group shared by the entries that are one inode
 * @param linkCount the link count (2 + subdirectories for directories)
 * @param xattrs the entry's own extended attributes
 * @param flags the raw catalog flags (nested-catalog and hidden bits among them)
 */
public record DirectoryEntry(
    String path,
    int mode,
    long sizeBytes,
    long rdev,
    long mtimeSeconds,
    int mtimeNanos,
    long uid,
    long gid,
    ContentHash hash,
    HashAlgorithm hashAlgorithm,
    Compression compression,
    boolean chunked,
    String symlink,
    int hardlinkGroup,
    int linkCount,
    SortedMap<String, byte[]> xattrs,
    int flags) {

  public DirectoryEntry {
    Md5Path.requireValid(path);
    symlink = symlink == null ? "" : symlink;
    xattrs =
        Collections.unmodifiableSortedMap(new TreeMap<>(xattrs == null ? new TreeMap<>() : xattrs));
    EntryKind.fromMode(mode);
  }

  public EntryKind kind() {
    return EntryKind.fromMode(mode);
  }

  public String name() {
    return Md5Path.name(path);
  }

  /** Permission bits with setuid, setgid and sticky. */
  public int permissions() {
    return mode & 07777;
  }

  public boolean isDirectory() {
    return kind() == EntryKind.DIRECTORY;
  }

  public boolean isRegular() {
    return kind() == EntryKind.REGULAR;
  }

  public boolean isSymlink() {
    return kind() == EntryKind.SYMLINK;
  }

  public boolean isNestedMountpoint() {
    return EntryFlags.has(flags, EntryFlags.NESTED_MOUNTPOINT);
  }

  public boolean isNestedRoot() {
    return EntryFlags.has(flags, EntryFlags.NESTED_ROOT);
  }

  public boolean isHidden() {
    return EntryFlags.has(flags, EntryFlags.HIDDEN);
  }

  public boolean isExternal() {
    return EntryFlags.has(flags, EntryFlags.EXTERNAL);
  }

  /** The same entry at another path (hardlink members, nested roots). */
  public DirectoryEntry withPath(String newPath) {
    return new DirectoryEntry(
        newPath,
        mode,
        sizeBytes,
        rdev,
        mtimeSeconds,
        mtimeNanos,
        uid,
        gid,
        hash,
        hashAlgorithm,
        compression,
        chunked,
        symlink,
        hardlinkGroup,
        linkCount,
        xattrs,
        flags);
  }

  /** The same entry with other flags. */
  public DirectoryEntry withFlags(int newFlags) {
    return new DirectoryEntry(
        path,
        mode,
        sizeBytes,
        rdev,
        mtimeSeconds,
        mtimeNanos,
        uid,
        gid,
        hash,
        hashAlgorithm,
        compression,
        chunked,
        symlink,
        hardlinkGroup,
        linkCount,
        xattrs,
        newFlags);
  }

  /** The same entry with another link count. */
  public DirectoryEntry withLinkCount(int newLinkCount) {
    return new DirectoryEntry(
        path,
        mode,
        sizeBytes,
        rdev,
        mtimeSeconds,
        mtimeNanos,
        uid,
        gid,
        hash,
        hashAlgorithm,
        compression,
        chunked,
        symlink,
        hardlinkGroup,
        newLinkCount,
        xattrs,
        flags);
  }

  /** The {@code hardlinks} column: {@code (group << 32) | linkCount}. */
  public long hardlinksColumn() {
    return ((long) hardlinkGroup << 32) | (linkCount & 0xffffffffL);
  }
}
