package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.SharedFixtures;
import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.fetch.FetchSettings;
import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Shared pieces of the FUSE integration tests: capabilities, fixtures, tree descriptions. */
final class FuseTests {
  static final Path FIXTURES = SharedFixtures.realRepo();
  static final String FQRN = "fixture.example.org";
  static final String SHAKE = "fixture-shake.example.org";
  static final String LAYER =
      "/.layers/ab/ab4da90810a147eb1d6d5a38ca33c897a4cb6069ca52134e5440e7b4277ccc0f/layerfs";
  static final FetchSettings FAST =
      new FetchSettings(
          Duration.ofSeconds(2),
          Duration.ofSeconds(2),
          1,
          Duration.ofMillis(10),
          Duration.ofMillis(20));

  /** For tests that count requests: a loaded 2-core machine must not time out and retry. */
  static final FetchSettings PATIENT =
      new FetchSettings(
          Duration.ofSeconds(60), Duration.ofSeconds(60), 1, Duration.ZERO, Duration.ZERO);

  static final List<String> XATTRS =
      List.of("user.readme", "user.fixture", "user.second", "user.dirattr");

  private FuseTests() {}

  /** Fails (never skips) naming what is missing: root, /dev/fuse, libfuse.so.2. */
  static void requireFuseAndRoot() {
    assertThat(System.getProperty("user.name"))
        .as("FUSE tests need root (CAP_SYS_ADMIN to mount without fusermount)")
        .isEqualTo("root");
    assertThat(Path.of("/dev/fuse")).as("FUSE tests need /dev/fuse").exists();
    assertThat(
            Stream.of(
                    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib")
                .anyMatch(d -> Files.exists(Path.of(d, "libfuse.so.2"))))
        .as("FUSE tests need libfuse.so.2 (Debian package libfuse2)")
        .isTrue();
  }

  static ClientSettings.Builder fixtureSettings(String fqrn, String urls, Path cache)
      throws IOException {
    return ClientSettings.builder(fqrn)
        .serverUrls(urls)
        .masterKeys(FIXTURES.resolve("keys").resolve(fqrn + ".pub"))
        .cacheDir(cache)
        .fetch(FAST);
  }

  /** Reads an xattr (via getxattr) or null if absent. */
  static String xattr(Path p, String name) throws IOException {
    UserDefinedFileAttributeView v =
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
    String n = name.substring("user.".length());
    if (!v.list().contains(n) && !probe(v, n)) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(v.size(n));
    v.read(n, b);
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
  }

  private static boolean probe(UserDefinedFileAttributeView v, String n) {
    try {
      v.size(n);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String sha256(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * The tree below {@code root} in the columns of the fixture's {@code expected/*.tsv}; the
   * inode_group column holds the inode number of regular files with more than one link.
   */
  static Map<String, String[]> describe(Path root) throws Exception {
    Map<String, String[]> out = new TreeMap<>();
    List<Path> paths;
    try (Stream<Path> s = Files.walk(root)) {
      paths = s.filter(p -> !p.equals(root)).toList();
    }
    for (Path p : paths) {
      String rel = root.relativize(p).toString();
      Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      char type = type(mode);
      boolean file = type == 'f';
      long size = (Long) a.get("size");
      int nlink = (Integer) a.get("nlink");
      long rdev = (Long) a.get("rdev");
      List<String> xattrs = new ArrayList<>();
      String hash = "-";
      String chunks = "-";
      if (file || type == 'd') {
        for (String name : XATTRS) {
          String v = xattr(p, name);
          if (v != null) {
            xattrs.add(name + "=" + v);
          }
        }
      }
      if (file) {
        String h = xattr(p, "user.hash");
        hash = h == null ? "-" : h;
        chunks = xattr(p, "user.chunks");
        if (!"1".equals(chunks)) {
          hash = "-";
        }
      }
      out.put(
          rel,
          new String[] {
            rel,
            String.valueOf(type),
            Integer.toOctalString(mode & 07777),
            type == 'd' ? "-" : type == 'f' || type == 'l' ? Long.toString(size) : "0",
            file ? Integer.toString(nlink) : "-",
            file && nlink > 1 ? a.get("ino").toString() : "-",
            file ? sha256(p) : "-",
            hash,
            chunks,
            type == 'l' ? Files.readSymbolicLink(p).toString() : "-",
            xattrs.isEmpty() ? "-" : String.join(";", xattrs),
            a.get("uid").toString(),
            a.get("gid").toString(),
            Long.toString(
                ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() / 1000),
            type == 'c' || type == 'b'
                ? DeviceNumbers.major(rdev) + "," + DeviceNumbers.minor(rdev)
                : "-"
          });
    }
    return out;
  }

  static char type(int mode) {
    return switch (mode & 0170000) {
      case 0100000 -> 'f';
      case 0040000 -> 'd';
      case 0120000 -> 'l';
      case 0010000 -> 'p';
      case 0140000 -> 's';
      case 0020000 -> 'c';
      case 0060000 -> 'b';
      default -> '?';
    };
  }

  static Map<String, String[]> readExpected(String name) throws IOException {
    Map<String, String[]> out = new TreeMap<>();
    for (String line :
        Files.readAllLines(FIXTURES.resolve("expected").resolve(name), StandardCharsets.UTF_8)) {
      if (!line.startsWith("#") && !line.isEmpty()) {
        String[] col = line.split("\t", -1);
        out.put(col[0], col);
      }
    }
    return out;
  }
}
