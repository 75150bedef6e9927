package io.cvmfsthin.cvmfs.publish;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Test support: one key set per JVM (RSA generation is slow), small repositories, tar builders. */
public final class TestRepos {
  static final RepositoryKeys KEYS = RepositoryKeys.generate("test.example.org", Clock.systemUTC());
  public static final ChunkingPolicy SMALL_CHUNKS =
      ChunkingPolicy.of(64 * 1024, 128 * 1024, 256 * 1024);

  private TestRepos() {}

  /** A new repository with the shared keys written to {@code keys}. */
  public static RepositoryPublisher create(
      Path storage, Path keys, String fqrn, RepositorySettings s) throws IOException {
    if (!RepositoryKeys.existIn(keys, fqrn)) {
      KEYS.write(keys, fqrn);
    }
    return RepositoryPublisher.create(storage, keys, fqrn, s, 30, Clock.systemUTC());
  }

  public static RepositoryPublisher create(Path storage, Path keys, String fqrn)
      throws IOException {
    return create(storage, keys, fqrn, RepositorySettings.DEFAULT.withChunking(SMALL_CHUNKS));
  }

  /** Every file under {@code dir} with its bytes, for before/after comparisons. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String rel = dir.relativize(p).toString();
        if (rel.endsWith(PublishLock.FILE_NAME)) {
          continue;
        }
        out.put(
            rel,
            Files.isRegularFile(p)
                ? Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p)))
                : "dir");
      }
    }
    return out;
  }

  /** Builds a tar in memory. */
  public static final class Tar {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "UTF-8");

    public Tar() {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    public Tar dir(String name, int mode) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
      e.setMode(040000 | mode);
      e.setModTime(1704067200_000L);
      return put(e, null);
    }

    public Tar file(String name, byte[] content) throws IOException {
      return file(name, content, 0644, 0, 0, Map.of());
    }

    public Tar file(String name, String content, int mode) throws IOException {
      return file(name, content.getBytes(StandardCharsets.UTF_8), mode, 0, 0, Map.of());
    }

    public Tar file(String name, String content) throws IOException {
      return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public Tar file(
        String name, byte[] content, int mode, long uid, long gid, Map<String, String> xattrs)
        throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setMode(0100000 | mode);
      e.setSize(content.length);
      e.setUserId(uid);
      e.setGroupId(gid);
      e.setModTime(1704067200_000L);
      xattrs.forEach((k, v) -> e.addPaxHeader("SCHILY.xattr." + k, v));
      return put(e, content);
    }

    public Tar symlink(String name, String target) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
      e.setLinkName(target);
      e.setMode(0120777);
      e.setModTime(1704067200_000L);
      return put(e, null);
    }

    public Tar hardlink(String name, String target) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
      e.setLinkName(target);
      e.setModTime(1704067200_000L);
      return put(e, null);
    }

    public Tar special(String name, byte type, int mode, int major, int minor) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      e.setMode(mode);
      e.setDevMajor(major);
      e.setDevMinor(minor);
      e.setModTime(1704067200_000L);
      return put(e, null);
    }

    private Tar put(TarArchiveEntry e, byte[] content) throws IOException {
      out.putArchiveEntry(e);
      if (content != null) {
        out.write(content);
      }
      out.closeArchiveEntry();
      return this;
    }

    public byte[] bytes() throws IOException {
      out.finish();
      out.close();
      return bytes.toByteArray();
    }

    public ByteArrayInputStream stream() throws IOException {
      return new ByteArrayInputStream(bytes());
    }
  }
}
