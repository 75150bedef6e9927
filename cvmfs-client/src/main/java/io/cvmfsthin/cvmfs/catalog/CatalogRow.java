package io.cvmfsthin.cvmfs.catalog;

import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.ContentHash;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import java.nio.charset.StandardCharsets;

/**
 * The raw columns of one {@code catalog} row as a reader selects them (spec §6.3), and their
 * translation into a {@link DirectoryEntry}. Columns a catalog's schema revision lacks are passed
 * as null ({@code mtimens} before revision 7, {@code xattr} before revision 2).
 *
 * @param hardlinks {@code (group << 32) | linkcount}
 * @param hash raw digest bytes or null
 * @param size the {@code size} column (device number for char and block devices)
 * @param mtimeNanos the {@code mtimens} column or null
 * @param name the last path component
 * @param symlink the raw symlink target or ""
 * @param xattr the serialized xattr list or null
 */
public record CatalogRow(
    long hardlinks,
    byte[] hash,
    long size,
    int mode,
    long mtime,
    Integer mtimeNanos,
    int flags,
    String name,
    String symlink,
    long uid,
    long gid,
    byte[] xattr) {

  /**
   * The entry at {@code path}. Throws {@link IllegalArgumentException} for a row that breaks the
   * format (unknown file type, bad hash length, malformed xattrs); the catalog reader adds where.
   */
  public DirectoryEntry toEntry(String path) {
    EntryKind kind = EntryKind.fromMode(mode);
    HashAlgorithm algorithm = HashAlgorithm.fromFlags(flags);
    ContentHash contentHash =
        hash == null || hash.length == 0 ? null : ContentHash.of(algorithm, hash);
    boolean chunked = kind == EntryKind.REGULAR && EntryFlags.has(flags, EntryFlags.CHUNKED);
    Compression compression =
        kind == EntryKind.REGULAR ? Compression.fromFlags(flags) : Compression.ZLIB;
    long sizeBytes;
    long rdev = 0;
    if (kind.isDevice()) {
      sizeBytes = 0;
      rdev = size;
    } else if (kind.isSpecial()) {
      sizeBytes = 0;
    } else if (kind == EntryKind.SYMLINK) {
      // As the stock client: the target's length, whatever the column says (ingest writes 0).
      sizeBytes = symlink == null ? 0 : symlink.getBytes(StandardCharsets.UTF_8).length;
    } else {
      sizeBytes = size;
    }
    int group = (int) (hardlinks >>> 32);
    int linkCount = (int) hardlinks;
    return new DirectoryEntry(
        path,
        mode,
        sizeBytes,
        rdev,
        mtime,
        mtimeNanos == null ? 0 : mtimeNanos,
        uid,
        gid,
        contentHash,
        algorithm,
        compression,
        chunked,
        kind == EntryKind.SYMLINK ? symlink : "",
        group,
        linkCount,
        XattrBlob.decode(xattr),
        flags);
  }
}
