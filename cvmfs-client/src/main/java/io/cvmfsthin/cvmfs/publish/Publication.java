package io.cvmfsthin.cvmfs.publish;

import io.cvmfsthin.cvmfs.catalog.Md5Path;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What one publish puts where: a tar stream (plain or gzip; read once, to its end), the entries of
 * a tree decoded by the caller (one pass, see {@link EntryReader}) or a directory, placed at a
 * repository path. A tar stream and the same entries publish the same objects and catalogs.
 *
 * <ul>
 *   <li>{@link Mode#REPLACE}: whatever was at {@code path} (file, directory, nested catalogs) is
 *       replaced by the source; missing parent directories are made (0755, root-owned).
 *   <li>{@link Mode#ADD_IF_ABSENT}: if {@code path} exists, nothing happens and no revision is made
 *       (the source is not read); used to publish content-addressed layers idempotently.
 * </ul>
 *
 * <p>The source's top directory becomes a nested catalog if {@code nestedCatalog} is set or it
 * holds a {@code .cvmfscatalog} marker (one is added if missing); so does every directory of the
 * source with a marker. At the repository root the entry keeps its metadata from {@code create}.
 *
 * @param path repository path, "/" or "/a/b" (normalized to "" or "/a/b")
 */
public record Publication(String path, Source source, Mode mode, boolean nestedCatalog) {

  /** Replace the subtree, or publish only if nothing is there yet. */
  public enum Mode {
    REPLACE,
    ADD_IF_ABSENT
  }

  /** Where the published tree comes from. */
  public sealed interface Source permits TarStream, Entries, Directory, Removal {}

  /** A tar stream, owned by the caller (not closed here). */
  public record TarStream(InputStream in) implements Source {}

  /** Entries in tar order, pulled once, owned by the caller (not closed here). */
  public record Entries(EntryReader reader) implements Source {}

  /** A directory on this machine; symlinks in it are published as symlinks. */
  public record Directory(Path dir) implements Source {}

  /**
   * Nothing: whatever is at {@code path} (not the root) is removed, nested catalogs included; no
   * revision if nothing is there.
   */
  public record Removal() implements Source {}

  public Publication {
    path = Md5Path.normalize(Objects.requireNonNull(path, "path"));
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(mode, "mode");
  }

  public static Publication tar(String path, InputStream tar) {
    return new Publication(path, new TarStream(tar), Mode.REPLACE, false);
  }

  public static Publication entries(String path, EntryReader reader) {
    return new Publication(path, new Entries(reader), Mode.REPLACE, false);
  }

  /** Removes {@code path} (not the root) and everything below it. */
  public static Publication removal(String path) {
    Publication p = new Publication(path, new Removal(), Mode.REPLACE, false);
    if (p.path().isEmpty()) {
      throw new IllegalArgumentException("the repository root cannot be removed");
    }
    return p;
  }

  public static Publication directory(String path, Path dir) {
    return new Publication(path, new Directory(dir), Mode.REPLACE, false);
  }

  /** The same publication with its top directory as a nested catalog. */
  public Publication withNestedCatalog(boolean nested) {
    return new Publication(path, source, mode, nested);
  }

  public Publication withMode(Mode newMode) {
    return new Publication(path, source, newMode, nestedCatalog);
  }
}
