package io.cvmfsthin.driver.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import io.cvmfsthin.cvmfs.tar.TarHeaders;
import io.cvmfsthin.driver.store.LibcDeviceNodes;
import io.cvmfsthin.driver.store.LibcFileMetadata;
import io.cvmfsthin.driver.store.LibcSymlinks;
import io.cvmfsthin.driver.store.LibcXattrs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real extraction as root: owners, special bits, devices, trusted.* xattrs need it. */
@Tag("root")
class TarApplierIT {
  static final byte[] CAPABILITY = {
    0x01,
    0x00,
    0x00,
    0x02,
    (byte) 0xc0,
    0x20,
    0x00,
    0x00,
    (byte) 0xff,
    0x00,
    0x00,
    0x00,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0
  };

  final LibcXattrs xattrs = new LibcXattrs();
  final TarApplier applier =
      new TarApplier(xattrs, new LibcDeviceNodes(), new LibcFileMetadata(), new LibcSymlinks());

  static Map<String, Object> stat(Path p) throws IOException {
    return Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void apply_convertsWhiteoutsToOverlayForm(@TempDir Path root) throws Exception {
    TestTar tar =
        new TestTar()
            .dir("etc", 0755)
            .entry(".wh.gone", TarHeaders.REGULAR, 0644, 7, 8, "", null, 0, 0, null, 0)
            .dir("var/lib", 0755)
            .file("var/lib/.wh..wh..opq", "")
            .file("var/.wh..wh.plnk", "")
            .file("var/lib/kept", "k");
    applier.apply(tar.stream(), root);

    Map<String, Object> gone = stat(root.resolve("gone"));
    assertThat((Integer) gone.get("mode")).isEqualTo(0020000); // c--------- 0,0
    assertThat(gone.get("rdev")).isEqualTo(0L);
    assertThat(gone.get("uid")).isEqualTo(7);
    assertThat(gone.get("gid")).isEqualTo(8);
    assertThat(root.resolve(".wh.gone")).doesNotExist();
    assertThat(xattrs.get(root.resolve("var/lib"), Xattrs.OVERLAY_OPAQUE))
        .contains(new byte[] {'y'});
    assertThat(root.resolve("var/lib/.wh..wh..opq")).doesNotExist();
    assertThat(root.resolve("var/.wh..wh.plnk")).doesNotExist();
    assertThat(root.resolve("var/lib/kept")).hasContent("k");
  }

  @Test
  void apply_keepsOwnersModesTimesXattrsLinksAndSpecialFiles(@TempDir Path root) throws Exception {
    TestTar tar =
        new TestTar()
            .entry(
                "bin/", TarHeaders.DIRECTORY, 01777, 0, 0, null, null, 0, 0, null, 1_000_000_000L)
            .file("bin/su", 04755, 0, 0, "su", null)
            .file("bin/sg", 02711, 1000, 50, "sg", null)
            .file(
                "bin/ping",
                0755,
                0,
                0,
                "ping",
                Map.of("security.capability", CAPABILITY, "user.note", new byte[] {(byte) 0xe9}))
            .hardlink("bin/ping2", "bin/ping")
            .symlink("bin/sh", "busybox//x/")
            .fifo("bin/pipe")
            .charDevice("bin/null", 1, 3)
            .entry(
                "bin/sda", TarHeaders.BLOCKDEV, 0660, 0, 6, null, null, 8, 0, null, TestTar.MTIME)
            .entry(
                "bin/big",
                TarHeaders.CHAR,
                0600,
                0,
                0,
                null,
                null,
                4095,
                1 << 19,
                null,
                TestTar.MTIME);
    applier.apply(tar.stream(), root);

    Path bin = root.resolve("bin");
    assertThat((Integer) stat(bin).get("mode") & 07777).isEqualTo(01777);
    // the directory's mtime is set after its content was written
    assertThat(Files.getLastModifiedTime(bin)).isEqualTo(FileTime.fromMillis(1_000_000_000_000L));
    assertThat((Integer) stat(bin.resolve("su")).get("mode") & 07777).isEqualTo(04755);
    Map<String, Object> sg = stat(bin.resolve("sg"));
    assertThat((Integer) sg.get("mode") & 07777).isEqualTo(02711);
    assertThat(sg.get("uid")).isEqualTo(1000);
    assertThat(sg.get("gid")).isEqualTo(50);
    assertThat(Files.getLastModifiedTime(bin.resolve("sg")).toMillis())
        .isEqualTo(TestTar.MTIME * 1000);
    assertThat(xattrs.get(bin.resolve("ping"), "security.capability")).contains(CAPABILITY);
    assertThat(xattrs.get(bin.resolve("ping"), "user.note")).contains(new byte[] {(byte) 0xe9});
    assertThat(stat(bin.resolve("ping2")).get("ino"))
        .isEqualTo(stat(bin.resolve("ping")).get("ino"));
    assertThat(new LibcSymlinks().read(bin.resolve("sh"))).isEqualTo("busybox//x/");
    assertThat(Files.getLastModifiedTime(bin.resolve("sh"), LinkOption.NOFOLLOW_LINKS).toMillis())
        .isEqualTo(TestTar.MTIME * 1000);
    assertThat((Integer) stat(bin.resolve("pipe")).get("mode") & 0170000).isEqualTo(0010000);
    assertThat(stat(bin.resolve("null")).get("rdev")).isEqualTo(DeviceNumbers.makedev(1, 3));
    assertThat((Integer) stat(bin.resolve("sda")).get("mode") & 0170000).isEqualTo(0060000);
    assertThat(stat(bin.resolve("sda")).get("rdev")).isEqualTo(DeviceNumbers.makedev(8, 0));
    assertThat(stat(bin.resolve("big")).get("rdev"))
        .isEqualTo(DeviceNumbers.makedev(4095, 1 << 19));
  }

  @Test
  void apply_longNames_paxAndGnu(@TempDir Path root, @TempDir Path work) throws Exception {
    String longName = "d/" + "n".repeat(200);
    applier.apply(new TestTar().file(longName, "pax").stream(), root);
    assertThat(root.resolve(longName)).hasContent("pax");

    Path src = work.resolve("src");
    Path deep = src.resolve("g".repeat(120)).resolve("h".repeat(150));
    Files.createDirectories(deep.getParent());
    Files.writeString(deep, "gnu");
    Files.createSymbolicLink(src.resolve("lnk"), Path.of("t".repeat(180)));
    Path tarFile = work.resolve("gnu.tar");
    run("tar", "--format=gnu", "-C", src.toString(), "-cf", tarFile.toString(), ".");
    Path out = work.resolve("out");
    Files.createDirectory(out);
    try (InputStream in = Files.newInputStream(tarFile)) {
      applier.apply(in, out);
    }
    assertThat(out.resolve(src.relativize(deep))).hasContent("gnu");
    assertThat(new LibcSymlinks().read(out.resolve("lnk"))).isEqualTo("t".repeat(180));
  }

  @Test
  void apply_sparseFile_isWrittenWithHoles(@TempDir Path work) throws Exception {
    Path src = work.resolve("src");
    Files.createDirectory(src);
    try (var ch =
        java.nio.channels.FileChannel.open(
            src.resolve("sparse"),
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap("start".getBytes()), 0);
      ch.write(java.nio.ByteBuffer.wrap("end".getBytes()), (64L << 20) - 3);
    }
    for (String format : List.of("gnu", "pax", "posix")) {
      Path tarFile = work.resolve(format + ".tar");
      List<String> cmd =
          new java.util.ArrayList<>(
              List.of("tar", "-C", src.toString(), "-cf", tarFile.toString()));
      if (!format.equals("gnu")) {
        cmd.add("--format=posix");
      }
      cmd.add("--sparse");
      cmd.add(".");
      run(cmd.toArray(String[]::new));
      Path out = work.resolve("out-" + format);
      Files.createDirectory(out);
      try (InputStream in = Files.newInputStream(tarFile)) {
        applier.apply(in, out);
      }
      Path sparse = out.resolve("sparse");
      assertThat(Files.size(sparse)).isEqualTo(64L << 20);
      assertThat(Files.mismatch(sparse, src.resolve("sparse"))).isEqualTo(-1);
      assertThat(allocatedBytes(sparse)).as(format).isLessThan(1 << 20);
    }
  }

  static long allocatedBytes(Path p) throws Exception {
    Process proc =
        new ProcessBuilder("stat", "-c", "%b*%B", p.toString())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String[] parts = new String(proc.getInputStream().readAllBytes()).strip().split("\\*");
    proc.waitFor();
    return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
  }

  static void run(String... command) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
  }
}
