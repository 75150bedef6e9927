package io.cvmfsthin.driver.archive;

import io.cvmfsthin.cvmfs.tar.RawPaxHeaders;
import io.cvmfsthin.cvmfs.tar.TarFormatException;
import io.cvmfsthin.cvmfs.tar.TarPaths;
import io.cvmfsthin.cvmfs.tar.Whiteouts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an uncompressed layer tar into a directory in overlay form (spec §10.3), the way
 * overlay2's chrooted untar does: numeric owners, modes with setuid/setgid/sticky, xattrs from PAX
 * headers (exact bytes), hard links to earlier entries, symlinks never followed, devices, fifos,
 * sparse files written with holes, times of directories set after their content; {@code .wh.NAME}
 * becomes a 0/0 character device, {@code .wh..wh..opq} the opaque xattr.
 *
 * <p>The tar is hostile. Names and hard link targets are cleaned from the layer root as Docker's
 * chrooted extraction cleans them ({@link TarPaths}: {@code /x} and {@code a/../../x} name {@code
 * x}); entries whose parent is a symlink, hard links to anything not in the layer or through a
 * symlink, NUL bytes and unknown entry types are refused with a {@link TarFormatException} naming
 * the entry. The caller extracts into a fresh directory and deletes it on failure; this class never
 * writes outside {@code root}.
 */
public final class TarApplier {
  private static final Logger log = LoggerFactory.getLogger(TarApplier.class);
  private static final int CHUNK = 128 * 1024;
  private static final byte[] ZEROS = new byte[CHUNK];
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private final Xattrs xattrs;
  private final DeviceNodes devices;
  private final FileMetadata metadata;
  private final Symlinks symlinks;

  /** With the ports for what the JDK cannot do. */
  public TarApplier(Xattrs xattrs, DeviceNodes devices, FileMetadata metadata, Symlinks symlinks) {
    this.xattrs = xattrs;
    this.devices = devices;
    this.metadata = metadata;
    this.symlinks = symlinks;
  }

  private record DirTimes(Path path, FileTime accessed, FileTime modified) {}

  /**
   * Extracts {@code tar} into {@code root}, an existing directory, reading the stream to its
   * end-of-archive marker.
   *
   * @throws TarFormatException for a malformed or hostile tar, naming the entry
   * @throws IOException when writing fails
   */
  public void apply(InputStream tar, Path root) throws IOException {
    RawPaxHeaders raw = new RawPaxHeaders(tar);
    TarArchiveInputStream in = new TarArchiveInputStream(raw, "UTF-8");
    Tree tree = new Tree(root);
    List<DirTimes> dirTimes = new ArrayList<>();
    byte[] buffer = new byte[CHUNK];
    while (true) {
      raw.startRecording();
      TarArchiveEntry entry;
      try {
        entry = in.getNextEntry();
      } catch (IOException e) {
        if (e instanceof FileSystemException) {
          throw e;
        }
        throw new TarFormatException("malformed tar: " + e.getMessage(), e);
      }
      if (entry == null) {
        break;
      }
      Map<String, byte[]> rawXattrs = raw.xattrs();
      String name = entry.getName();
      String rel = TarPaths.normalize(name, name, "name");
      if (rel.isEmpty()) {
        continue; // the root itself keeps the layer directory's attributes, as in overlay2
      }
      Path parent = tree.parentOf(rel, name);
      String base = TarPaths.baseName(rel);
      switch (Whiteouts.kind(base)) {
        case OPAQUE -> {
          xattrs.set(parent, Xattrs.OVERLAY_OPAQUE, new byte[] {'y'});
          continue;
        }
        case META -> {
          continue;
        }
        case WHITEOUT -> {
          String deletedName = Whiteouts.deletedName(base, name);
          String parentRel = TarPaths.parent(rel);
          Path deleted = parent.resolve(deletedName);
          tree.removeExisting(
              deleted, parentRel.isEmpty() ? deletedName : parentRel + "/" + deletedName);
          devices.characterDevice(deleted, 0, 0, 0);
          metadata.owner(deleted, (int) entry.getLongUserId(), (int) entry.getLongGroupId());
          continue;
        }
        case NONE -> {}
      }
      Path target = parent.resolve(base);
      byte type = entry.getLinkFlag();
      BasicFileAttributes existing = lstat(target);
      if (existing != null && !(existing.isDirectory() && entry.isDirectory())) {
        tree.removeExisting(target, rel);
      }
      boolean followUpMetadata = true;
      if (entry.isLink()) {
        String linkRel = TarPaths.normalize(entry.getLinkName(), name, "hard link target");
        Path source = tree.existingNonDirectory(linkRel, name);
        Files.createLink(target, source);
        followUpMetadata = !Files.isSymbolicLink(source);
      } else if (entry.isSymbolicLink()) {
        symlinks.create(target, entry.getLinkName());
      } else if (entry.isCharacterDevice()) {
        devices.characterDevice(target, entry.getMode(), entry.getDevMajor(), entry.getDevMinor());
      } else if (entry.isBlockDevice()) {
        devices.blockDevice(target, entry.getMode(), entry.getDevMajor(), entry.getDevMinor());
      } else if (entry.isFIFO()) {
        devices.fifo(target, entry.getMode());
      } else if (entry.isDirectory()) {
        if (existing == null || !existing.isDirectory()) {
          Files.createDirectory(target);
        }
        tree.knownDirectory(rel);
      } else if (type == TarConstants.LF_NORMAL
          || type == TarConstants.LF_OLDNORM
          || type == TarConstants.LF_CONTIG
          || type == TarConstants.LF_GNUTYPE_SPARSE) {
        writeFile(in, target, entry.getRealSize(), buffer, name);
      } else {
        throw new TarFormatException(
            "entry " + TarPaths.quote(name) + ": unsupported entry type '" + (char) type + "'");
      }
      int uid = (int) entry.getLongUserId();
      int gid = (int) entry.getLongGroupId();
      if (!entry.isLink() || !sameOwner(target, uid, gid)) {
        // chown(2) drops security.capability, so a hard link to a capable file keeps it
        metadata.owner(target, uid, gid);
      }
      if (!entry.isSymbolicLink() && followUpMetadata) {
        metadata.mode(target, entry.getMode());
      }
      applyXattrs(target, entry, rawXattrs);
      FileTime modified = entry.getLastModifiedTime();
      FileTime accessed = entry.getLastAccessTime();
      if (accessed == null || accessed.compareTo(modified) < 0) {
        accessed = modified;
      }
      if (entry.isDirectory()) {
        dirTimes.add(new DirTimes(target, accessed, modified));
      } else if (followUpMetadata) {
        metadata.times(target, accessed, modified);
      }
    }
    for (DirTimes d : dirTimes) {
      metadata.times(d.path(), d.accessed(), d.modified());
    }
  }

  private void applyXattrs(Path target, TarArchiveEntry entry, Map<String, byte[]> raw)
      throws IOException {
    for (Map.Entry<String, String> header : entry.getExtraPaxHeaders().entrySet()) {
      String key = header.getKey();
      String attr;
      if (key.startsWith("SCHILY.xattr.")) {
        attr = key.substring("SCHILY.xattr.".length());
      } else if (key.startsWith("LIBARCHIVE.xattr.")) {
        attr =
            java.net.URLDecoder.decode(
                key.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
      } else {
        continue;
      }
      byte[] value = raw == null ? null : raw.get(attr);
      if (value == null) {
        if (header.getValue().indexOf('\uFFFD') >= 0) {
          throw new TarFormatException(
              "entry "
                  + TarPaths.quote(entry.getName())
                  + ": xattr "
                  + attr
                  + " has a binary value that could not be read exactly");
        }
        value = header.getValue().getBytes(StandardCharsets.UTF_8);
      }
      try {
        xattrs.set(target, attr, value);
      } catch (java.nio.file.AccessDeniedException e) {
        log.warn("xattr {} on {} not set, as overlay2 ignores it: {}", attr, target, e.getReason());
      } catch (FileSystemException e) {
        if (e.getReason() == null || !e.getReason().contains("(errno 95)")) {
          throw e;
        }
        log.warn("xattr {} on {} not supported, ignored as overlay2 does", attr, target);
      }
    }
  }

  /** Writes the entry's data, leaving holes where whole chunks are zero. */
  private static void writeFile(InputStream in, Path target, long size, byte[] buffer, String entry)
      throws IOException {
    try (FileChannel out =
        FileChannel.open(
            target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW)) {
      long position = 0;
      while (true) {
        int n;
        try {
          n = in.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
          throw new TarFormatException(
              "entry " + TarPaths.quote(entry) + ": malformed tar: " + e.getMessage(), e);
        }
        if (n <= 0) {
          break;
        }
        if (n == CHUNK && java.util.Arrays.equals(buffer, 0, n, ZEROS, 0, n)) {
          position += n; // a hole
          continue;
        }
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
        while (bytes.hasRemaining()) {
          position += out.write(bytes, position);
        }
      }
      if (position != size) {
        throw new TarFormatException(
            "entry "
                + TarPaths.quote(entry)
                + ": malformed tar, data ended after "
                + position
                + " of "
                + size
                + " bytes");
      }
      if (out.size() < size) {
        out.write(ByteBuffer.wrap(new byte[1]), size - 1); // extend over a trailing hole
      }
    }
  }

  private static boolean sameOwner(Path path, int uid, int gid) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, "unix:uid,gid", NOFOLLOW);
    return (Integer) a.get("uid") == uid && (Integer) a.get("gid") == gid;
  }

  private static BasicFileAttributes lstat(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /**
   * The tree being built: resolves names to paths without ever following a symlink, creating
   * missing parents as overlay2 does (0755, root), and remembering which relative paths are known
   * to be real directories so the common case costs no lstat.
   */
  private static final class Tree {
    private final Path root;
    private final Set<String> directories = new HashSet<>();

    Tree(Path root) {
      this.root = root;
      directories.add("");
    }

    void knownDirectory(String rel) {
      directories.add(rel);
    }

    /** The parent directory of {@code rel}, created if missing; refused if it is a symlink. */
    Path parentOf(String rel, String entry) throws IOException {
      String parentRel = TarPaths.parent(rel);
      ensureDirectory(parentRel, entry);
      return parentRel.isEmpty() ? root : root.resolve(parentRel);
    }

    private void ensureDirectory(String rel, String entry) throws IOException {
      if (directories.contains(rel)) {
        return;
      }
      ensureDirectory(TarPaths.parent(rel), entry);
      Path path = root.resolve(rel);
      BasicFileAttributes attrs = lstat(path);
      if (attrs == null) {
        Files.createDirectory(path);
      } else if (attrs.isSymbolicLink()) {
        throw new TarFormatException(
            "entry " + TarPaths.quote(entry) + ": refused, it writes through symlink " + rel);
      } else if (!attrs.isDirectory()) {
        throw new TarFormatException(
            "entry " + TarPaths.quote(entry) + ": parent " + rel + " is not a directory");
      }
      directories.add(rel);
    }

    /** The path of an existing non-directory named by a hard link, reached without symlinks. */
    Path existingNonDirectory(String rel, String entry) throws IOException {
      if (rel.isEmpty()) {
        throw new TarFormatException("entry " + TarPaths.quote(entry) + ": hard link to the root");
      }
      String parentRel = TarPaths.parent(rel);
      if (!directories.contains(parentRel)) {
        for (String p = parentRel; !p.isEmpty(); p = TarPaths.parent(p)) {
          BasicFileAttributes attrs = lstat(root.resolve(p));
          if (attrs == null || attrs.isSymbolicLink() || !attrs.isDirectory()) {
            throw new TarFormatException(
                "entry "
                    + TarPaths.quote(entry)
                    + ": hard link target "
                    + TarPaths.quote(rel)
                    + " is not inside the layer (through "
                    + p
                    + ")");
          }
        }
      }
      Path path = root.resolve(rel);
      BasicFileAttributes attrs = lstat(path);
      if (attrs == null) {
        throw new TarFormatException(
            "entry "
                + TarPaths.quote(entry)
                + ": hard link target "
                + TarPaths.quote(rel)
                + " does not exist in the layer");
      }
      if (attrs.isDirectory()) {
        throw new TarFormatException(
            "entry " + TarPaths.quote(entry) + ": hard link to directory " + TarPaths.quote(rel));
      }
      return path;
    }

    /** Removes what is at {@code path} (recursively) and forgets directories under it. */
    void removeExisting(Path path, String rel) throws IOException {
      BasicFileAttributes attrs = lstat(path);
      if (attrs == null) {
        return;
      }
      if (attrs.isDirectory()) {
        Trees.deleteRecursively(path);
        String prefix = rel + "/";
        directories.removeIf(d -> d.equals(rel) || d.startsWith(prefix));
      } else {
        Files.delete(path);
      }
    }
  }
}
