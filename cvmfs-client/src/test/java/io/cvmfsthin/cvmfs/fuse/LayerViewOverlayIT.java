package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.Md5Path;
import io.cvmfsthin.cvmfs.publish.RepositorySettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layer view under real overlayfs: two published layers with whiteouts and an opaque directory,
 * stacked by the kernel over the FUSE layer view, show the tree that applying the layer tars in
 * order with overlay2's rules gives. The fixture's stock-ingested layer is checked too.
 */
@Tag("fuse")
@Tag("root")
class LayerViewOverlayIT {
  @BeforeAll
  static void capabilities() {
    FuseTests.requireFuseAndRoot();
    assertThat(Path.of("/proc/filesystems")).as("overlayfs needed").content().contains("overlay");
  }

  @Test
  void twoLayersStackedByOverlayfs_equalTheTarsAppliedInOrder(@TempDir Path tmp) throws Exception {
    PublishedRepo.Tar lower =
        new PublishedRepo.Tar()
            .dir("etc", 0755)
            .file("etc/passwd", "root:x:0:0\n")
            .file("etc/group", "root:x:0:\n")
            .dir("opt", 0755)
            .dir("opt/old", 0700)
            .file("opt/old/data", "old data\n")
            .dir("var", 0755)
            .dir("var/lib", 0755)
            .dir("var/lib/app", 0750)
            .file("var/lib/app/a.txt", "a\n")
            .dir("var/lib/app/sub", 0755)
            .file("var/lib/app/sub/b.txt", "b\n")
            .dir("usr", 0755)
            .dir("usr/bin", 0755)
            .file("usr/bin/tool", 0755, 1000, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8))
            .symlink("usr/bin/alias", "tool");
    PublishedRepo.Tar upper =
        new PublishedRepo.Tar()
            .dir("etc", 0755)
            .file("etc/.wh.passwd", "")
            .file("etc/group", "root:x:0:\nusers:x:100:\n")
            .file("etc/hostname", "thin\n")
            .file(".wh.opt", "")
            .dir("var", 0755)
            .dir("var/lib", 0755)
            .dir("var/lib/app", 0755)
            .file("var/lib/app/.wh..wh..opq", "")
            .file("var/lib/app/new.txt", "new\n")
            .dir("usr", 0755)
            .dir("usr/bin", 0755)
            .file("usr/bin/.wh.alias", "");
    try (PublishedRepo repo =
        PublishedRepo.create(
            tmp.resolve("srv"), "layers.example.org", RepositorySettings.DEFAULT)) {
      byte[] t1 = lower.bytes();
      byte[] t2 = upper.bytes();
      String l1 = layerPath(t1);
      String l2 = layerPath(t2);
      repo.publish(l1, t1, true);
      repo.publish(l2, t2, true);

      Path merged = tmp.resolve("merged");
      Files.createDirectories(merged);
      try (RepositoryMount m =
          RepositoryMount.mount(
              repo.settings(tmp.resolve("cache")).build(),
              tmp.resolve("mnt"),
              TransportOptions.LAYER_VIEW)) {
        Path v2 = m.mountPoint().resolve(l2.substring(1));
        // the view itself: whiteouts as 0/0 char devices, markers hidden, opaque xattr
        Map<String, Object> wh =
            Files.readAttributes(
                v2.resolve("etc/passwd"), "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        assertThat(FuseTests.type((Integer) wh.get("mode"))).isEqualTo('c');
        assertThat((Long) wh.get("rdev")).isZero();
        try (Stream<Path> s = Files.list(v2.resolve("var/lib/app"))) {
          assertThat(s.map(p -> p.getFileName().toString())).containsExactly("new.txt");
        }
        assertThat(getfattr(v2.resolve("var/lib/app"), "trusted.overlay.opaque")).isEqualTo("y");
        assertThat(FuseTests.xattr(v2.resolve("var/lib/app"), "user.overlay.opaque"))
            .isEqualTo("y");
        assertThat(v2.resolve(".cvmfscatalog")).doesNotExist();

        Path v1 = m.mountPoint().resolve(l1.substring(1));
        run(
            "mount",
            "-t",
            "overlay",
            "overlay",
            "-o",
            "lowerdir=" + v2 + ":" + v1,
            merged.toString());
        try {
          Map<String, String> expected = applyInOrder(List.of(lower, upper));
          assertThat(describe(merged)).isEqualTo(expected);
        } finally {
          run("umount", merged.toString());
        }
      }
    }
  }

  @Test
  void fixtureLayer_stockIngested_showsOverlayForm(@TempDir Path tmp) throws Exception {
    try (HttpStratum stratum = HttpStratum.serve(FuseTests.FIXTURES);
        RepositoryMount m =
            RepositoryMount.mount(
                FuseTests.fixtureSettings(
                        FuseTests.FQRN, stratum.url(FuseTests.FQRN), tmp.resolve("c"))
                    .build(),
                tmp.resolve("mnt"),
                TransportOptions.LAYER_VIEW)) {
      Path app = m.mountPoint().resolve(FuseTests.LAYER.substring(1)).resolve("var/lib/app");
      try (Stream<Path> s = Files.list(app)) {
        assertThat(s.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("kept.txt", "deleted-file");
      }
      Map<String, Object> a =
          Files.readAttributes(
              app.resolve("deleted-file"), "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
      assertThat(FuseTests.type((Integer) a.get("mode"))).isEqualTo('c');
      assertThat(getfattr(app, "trusted.overlay.opaque")).isEqualTo("y");
      // outside the layer the plain view is unchanged
      assertThat(m.mountPoint().resolve("README.txt")).exists();
    }
  }

  static String layerPath(byte[] tar) throws Exception {
    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tar));
    return "/.layers/" + hex.substring(0, 2) + "/" + hex + "/layerfs";
  }

  /** overlay2's rules: whiteouts and opaque markers act on the layers below, then entries land. */
  static Map<String, String> applyInOrder(List<PublishedRepo.Tar> layers) {
    Map<String, String> tree = new TreeMap<>();
    for (PublishedRepo.Tar layer : layers) {
      for (PublishedRepo.Tar.Item i : layer.items) {
        String path = "/" + i.name();
        String name = Md5Path.name(path);
        String dir = Md5Path.parentPath(path);
        if (name.equals(".wh..wh..opq")) {
          tree.keySet().removeIf(p -> p.startsWith(dir + "/"));
        } else if (name.startsWith(".wh.")) {
          String target = dir + "/" + name.substring(4);
          tree.keySet().removeIf(p -> p.equals(target) || p.startsWith(target + "/"));
        }
      }
      for (PublishedRepo.Tar.Item i : layer.items) {
        String path = "/" + i.name();
        if (!Md5Path.name(path).startsWith(".wh.")) {
          tree.put(path, describe(i.type(), i.mode(), i.uid(), i.content(), i.target()));
        }
      }
    }
    return tree;
  }

  static Map<String, String> describe(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    List<Path> paths;
    try (Stream<Path> s = Files.walk(root)) {
      paths = new ArrayList<>(s.filter(p -> !p.equals(root)).toList());
    }
    for (Path p : paths) {
      Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      char type = FuseTests.type(mode);
      out.put(
          "/" + root.relativize(p),
          describe(
              type,
              mode & 07777,
              (Integer) a.get("uid"),
              type == 'f' ? Files.readAllBytes(p) : null,
              type == 'l' ? Files.readSymbolicLink(p).toString() : null));
    }
    return out;
  }

  static String describe(char type, int mode, int uid, byte[] content, String target) {
    return type
        + " "
        + Integer.toOctalString(type == 'l' ? 0777 : mode)
        + " "
        + uid
        + (content != null ? " " + new String(content, StandardCharsets.UTF_8).strip() : "")
        + (target != null ? " -> " + target : "");
  }

  static String getfattr(Path p, String name) throws Exception {
    Process pr =
        new ProcessBuilder(
                "getfattr", "--absolute-names", "--only-values", "-n", name, p.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(pr.waitFor()).as("getfattr: " + out).isZero();
    return out;
  }

  static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
  }
}
