package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Images made here, without Docker Hub: a busybox-static root file system imported as a base, and
 * Dockerfiles built on it with the classic builder.
 */
public final class TestImages {
  static final List<String> APPLETS =
      List.of(
          "sh",
          "ls",
          "cat",
          "rm",
          "mkdir",
          "ln",
          "mknod",
          "mkfifo",
          "chmod",
          "chown",
          "touch",
          "dd",
          "sha256sum",
          "find",
          "stat",
          "echo",
          "sleep",
          "date",
          "head",
          "wc",
          "cp",
          "mv",
          "rmdir",
          "true",
          "false",
          "test",
          "[",
          "env",
          "id",
          "sort",
          "xargs",
          "grep",
          "tar",
          "truncate",
          "setfattr",
          "getfattr");

  private TestImages() {}

  /** Writes a busybox root file system tar and returns its path. */
  public static Path busyboxRootfsTar(Path work) throws IOException {
    Path busybox = Path.of("/bin/busybox");
    if (!Files.isExecutable(busybox)) {
      throw new IOException("/bin/busybox is missing: install Debian's busybox-static");
    }
    Path rootfs = work.resolve("busybox-rootfs");
    Files.createDirectories(rootfs.resolve("bin"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.createDirectories(rootfs.resolve("tmp"));
    Files.copy(
        busybox, rootfs.resolve("bin/busybox"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    for (String applet : APPLETS) {
      Path link = rootfs.resolve("bin").resolve(applet);
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, Path.of("busybox"));
    }
    Files.writeString(
        rootfs.resolve("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    Path tar = work.resolve("busybox-rootfs.tar");
    Cmd.run("tar", "--numeric-owner", "-C", rootfs.toString(), "-cf", tar.toString(), ".")
        .orThrow();
    return tar;
  }

  /** Imports the busybox base under {@code name} into the daemon. */
  public static void importBusybox(PrivateDockerd docker, Path work, String name)
      throws IOException {
    Path tar = busyboxRootfsTar(work);
    docker.dockerOk("import", tar.toString(), name);
  }

  /** Builds a Dockerfile (classic builder) with the given context directory. */
  public static void build(PrivateDockerd docker, Path context, String tag) {
    docker.dockerOk("build", "--network", "none", "-q", "-t", tag, context.toString());
  }
}
