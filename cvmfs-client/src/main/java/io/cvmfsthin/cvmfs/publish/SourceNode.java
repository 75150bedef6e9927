package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entry of the tree being published, with its metadata and, for a regular file, where its
 * content went. Hard links are one node under several names. Directories keep their children by
 * name. Mutable while a source is read; owned by one publish.
 */
final class SourceNode {
  /** The marker file that makes a directory a nested catalog (spec §7). */
  static final String CATALOG_MARKER = ".cvmfscatalog";

  static final long DIRECTORY_SIZE = 4096;

  EntryKind kind;
  int permissions; // mode & 07777
  long uid;
  long gid;
  long mtimeSeconds;
  long sizeBytes; // directories: st_size; symlinks: target length; devices: 0
  long rdev;
  String symlink = "";
  SortedMap<String, byte[]> xattrs = new TreeMap<>();
  FileContent content; // regular files
  final SortedMap<String, SourceNode> children = new TreeMap<>();
  boolean implicit; // a directory made up for a path whose parent the source never named

  SourceNode(EntryKind kind) {
    this.kind = kind;
  }

  static SourceNode directory(long mtimeSeconds) {
    SourceNode d = new SourceNode(EntryKind.DIRECTORY);
    d.permissions = 0755;
    d.mtimeSeconds = mtimeSeconds;
    d.sizeBytes = DIRECTORY_SIZE;
    return d;
  }

  int mode() {
    return kind.typeBits() | permissions;
  }

  boolean isDirectory() {
    return kind == EntryKind.DIRECTORY;
  }

  /** Number of subdirectories; a directory's link count is 2 plus this. */
  int subdirectories() {
    int n = 0;
    for (SourceNode c : children.values()) {
      if (c.isDirectory()) {
        n++;
      }
    }
    return n;
  }

  /** Whether this directory holds a {@code .cvmfscatalog} marker. */
  boolean hasCatalogMarker() {
    SourceNode m = children.get(CATALOG_MARKER);
    return m != null && m.kind == EntryKind.REGULAR;
  }

  /** Copies the metadata of {@code other}, keeping this node's children. */
  void takeMetadataOf(SourceNode other) {
    kind = other.kind;
    permissions = other.permissions;
    uid = other.uid;
    gid = other.gid;
    mtimeSeconds = other.mtimeSeconds;
    sizeBytes = other.sizeBytes;
    rdev = other.rdev;
    symlink = other.symlink;
    xattrs = other.xattrs;
    content = other.content;
    implicit = false;
  }
}
