package io.cvmfsthin.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.driver.archive.TestTar;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.layer.LowerChain;
import io.cvmfsthin.driver.mount.LibcMounter;
import io.cvmfsthin.driver.overlay.OverlayMount;
import io.cvmfsthin.driver.store.LibcXattrs;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Parity with Docker's built-in overlay2: images are built in a private dockerd, saved, and their
 * layers applied by this driver; every layer's diff dir and the merged view must equal what
 * dockerd's overlay2 made of the same layers, file by file with all metadata.
 */
@Tag("docker")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Overlay2ParityIT {
  static final byte[] CAP_NET_RAW = {
    0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  };
  static final String LONG = "n".repeat(200);

  Path work;
  PrivateDockerd dockerd;

  @BeforeAll
  void startDockerd() throws Exception {
    work = Files.createTempDirectory("parity");
    dockerd = PrivateDockerd.start(work.resolve("d"));
  }

  @AfterAll
  void stopDockerd() throws Exception {
    if (dockerd != null) {
      dockerd.close();
    }
    new ProcessBuilder("rm", "-rf", work.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start()
        .waitFor();
  }

  boolean baseImported;

  /** busybox rootfs with a capability, setuid, device, fifo, long name, hard-link source. */
  void importBase() throws Exception {
    if (baseImported) {
      return;
    }
    baseImported = true;
    Path rootfs = work.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("bin"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.createDirectories(rootfs.resolve("dev"));
    Files.copy(Path.of("/usr/bin/busybox"), rootfs.resolve("bin/busybox"));
    for (String applet :
        List.of(
            "sh", "ls", "cat", "rm", "mkdir", "ln", "mknod", "mkfifo", "chmod", "touch", "dd",
            "true", "echo", "chown")) {
      Files.createSymbolicLink(rootfs.resolve("bin/" + applet), Path.of("busybox"));
    }
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(rootfs.resolve("etc/removeme"), "bye\n");
    Files.createDirectories(rootfs.resolve("deleteme/sub"));
    Files.writeString(rootfs.resolve("deleteme/sub/f"), "f");
    Files.createDirectories(rootfs.resolve("opaque"));
    Files.writeString(rootfs.resolve("opaque/old"), "old");
    Files.writeString(rootfs.resolve("ping"), "pretend ping");
    new LibcXattrs().set(rootfs.resolve("ping"), "security.capability", CAP_NET_RAW);
    Files.writeString(rootfs.resolve("su"), "pretend su");
    Files.setAttribute(rootfs.resolve("su"), "unix:mode", 04755);
    Files.writeString(rootfs.resolve("hardsrc"), "shared inode");
    Files.writeString(rootfs.resolve(LONG), "long name");
    run("mknod", rootfs.resolve("dev/null").toString(), "c", "1", "3");
    run("mkfifo", rootfs.resolve("fifo").toString());
    run("chown", "1000:1000", rootfs.resolve("etc/removeme").toString());
    Path tar = work.resolve("base.tar");
    run(
        "tar",
        "--xattrs",
        "--xattrs-include=*",
        "--numeric-owner",
        "-C",
        rootfs.toString(),
        "-cf",
        tar.toString(),
        ".");
    dockerd.docker("import", tar.toString(), "test/base:1");
  }

  @Test
  void builtImage_layersAndMergedView_equalOverlay2s() throws Exception {
    importBase();
    Path ctx = work.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(
        ctx.resolve("Dockerfile"),
        String.join(
            "\n",
            "FROM test/base:1",
            "RUN rm /etc/removeme && rm -rf /deleteme",
            "RUN rm -rf /opaque && mkdir /opaque && echo new > /opaque/new",
            "RUN ln /hardsrc /hardlink2 && echo more >> /etc/passwd",
            "RUN mkdir /dev2 && mknod /dev2/null c 1 3 && mknod /dev2/sda b 8 0 && mkfifo /fifo2"
                + " && chmod 6755 /su && chmod 1777 /dev2",
            "RUN dd if=/dev/zero of=/sparse bs=1M seek=63 count=1 && touch /" + LONG + "2",
            "RUN mkdir -p /recreated/x && echo 1 > /recreated/x/f",
            "RUN rm -rf /recreated && mkdir /recreated && echo 2 > /recreated/g",
            ""));
    dockerd.docker("build", "--network", "none", "-q", "-t", "test/parity:1", ctx.toString());
    compareWithDocker("test/parity:1");
  }

  @Test
  void hundredLayerImage_withEmptyLayer_equalsOverlay2s() throws Exception {
    List<byte[]> layers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      TestTar t = new TestTar();
      if (i == 50) {
        layers.add(t.bytes()); // an empty layer
        continue;
      }
      t.dir("layers", 0755).file("layers/l" + i, "layer " + i).file("counter", "" + i);
      if (i > 0 && i % 3 == 0) {
        t.file("layers/.wh.l" + (i - 1), "");
      }
      if (i % 10 == 5) {
        t.dir("d" + (i / 10), 0700)
            .file("d" + (i / 10) + "/.wh..wh..opq", "")
            .file("d" + (i / 10) + "/x", "x");
      } else {
        t.dir("d" + (i / 10), 0755).file("d" + (i / 10) + "/f" + i, "f");
      }
      layers.add(t.bytes());
    }
    Path saved = work.resolve("deep.tar");
    writeSavedImage(saved, "test/deep:1", layers);
    dockerd.docker("load", "-i", saved.toString());
    compareWithDocker("test/deep:1");
  }

  @Test
  void changes_equalDockerDiff() throws Exception {
    importBase();
    dockerd.docker(
        "run",
        "--name",
        "chg",
        "--network",
        "none",
        "test/base:1",
        "sh",
        "-c",
        "echo x > /newfile && echo more >> /etc/passwd && rm /etc/removeme"
            + " && rm -rf /opaque && mkdir /opaque && echo n > /opaque/n"
            + " && mkdir -p /a/b && echo c > /a/b/c && rm -rf /deleteme && chmod 600 /hardsrc");
    List<Change> docker = new ArrayList<>();
    for (String line : dockerd.docker("diff", "chg").split("\n")) {
      if (!line.isBlank()) {
        int kind =
            switch (line.charAt(0)) {
              case 'C' -> Change.MODIFIED;
              case 'A' -> Change.ADDED;
              case 'D' -> Change.DELETED;
              default -> throw new IllegalStateException(line);
            };
        docker.add(new Change(line.substring(2), kind));
      }
    }
    dockerd.docker("commit", "chg", "test/chg:1");
    Path saved = work.resolve("chg.tar");
    dockerd.docker("save", "-o", saved.toString(), "test/chg:1");
    List<Path> layers = new ArrayList<>();
    String manifest = null;
    Path dir = Files.createDirectories(work.resolve("chg-layers"));
    Map<String, Path> byName = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(saved))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.getName().endsWith("layer.tar")) {
          Path out = dir.resolve(e.getName().replace('/', '_'));
          Files.copy(in, out);
          byName.put(e.getName(), out);
        } else if (e.getName().equals("manifest.json")) {
          manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    new ObjectMapper()
        .readTree(manifest)
        .get(0)
        .get("Layers")
        .forEach(l -> layers.add(byName.get(l.asText())));
    GraphDriver driver =
        new GraphDriver(Host.linux(), RepositoryMounts.NONE, CommitPublisher.NONE, Duration.ZERO);
    driver.init(work.resolve("home-chg"), List.of());
    String parent = "";
    for (int i = 0; i < layers.size(); i++) {
      String id = String.format("%064x", i + 1);
      driver.create(CreateRequest.of(id, parent));
      try (InputStream in = Files.newInputStream(layers.get(i))) {
        driver.applyDiff(id, parent, in);
      }
      parent = i == layers.size() - 1 ? parent : id;
    }
    List<Change> ours = driver.changes(String.format("%064x", layers.size()), parent);
    assertThat(ours).containsExactlyInAnyOrderElementsOf(docker);
  }

  /** Applies the image's layers with our driver and compares with dockerd's overlay2. */
  void compareWithDocker(String image) throws Exception {
    Path saved = work.resolve(image.replace('/', '_').replace(':', '_') + ".saved.tar");
    dockerd.docker("save", "-o", saved.toString(), image);
    Path layersDir = Files.createDirectories(work.resolve(saved.getFileName() + ".layers"));
    Map<String, Path> files = new LinkedHashMap<>();
    String manifest = null;
    Map<String, String> configs = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(saved))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.getName().endsWith("layer.tar")) {
          Path out = layersDir.resolve(e.getName().replace('/', '_'));
          Files.copy(in, out);
          files.put(e.getName(), out);
        } else if (e.getName().equals("manifest.json")) {
          manifest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } else if (e.getName().endsWith(".json")) {
          configs.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode m = json.readTree(manifest).get(0);
    JsonNode config = json.readTree(configs.get(m.get("Config").asText()));
    List<String> diffIds = new ArrayList<>();
    config.get("rootfs").get("diff_ids").forEach(d -> diffIds.add(d.asText()));

    GraphDriver driver =
        new GraphDriver(Host.linux(), RepositoryMounts.NONE, CommitPublisher.NONE, Duration.ZERO);
    Path home = work.resolve("home-" + image.replace('/', '_').replace(':', '_'));
    driver.init(home, List.of());
    Path dockerHome = dockerd.dataRoot().resolve("overlay2");
    String parent = "";
    String chain = null;
    List<String> ours = new ArrayList<>();
    for (int i = 0; i < m.get("Layers").size(); i++) {
      String id = String.format("%064x", i + 1);
      driver.create(CreateRequest.of(id, parent));
      try (InputStream in = Files.newInputStream(files.get(m.get("Layers").get(i).asText()))) {
        driver.applyDiff(id, parent, in);
      }
      chain = chain == null ? diffIds.get(i) : "sha256:" + sha256(chain + " " + diffIds.get(i));
      String cacheId =
          Files.readString(
                  dockerd
                      .dataRoot()
                      .resolve("image/overlay2/layerdb/sha256/" + chain.substring(7) + "/cache-id"))
              .strip();
      assertThat(TreeSnapshot.of(home.resolve(id + "/diff"), true))
          .as("layer %d of %s", i, image)
          .isEqualTo(TreeSnapshot.of(dockerHome.resolve(cacheId + "/diff"), true));
      ours.add(id);
      parent = id;
      if (i == m.get("Layers").size() - 1) {
        compareMerged(driver, id, dockerHome, cacheId, image);
      }
    }
    driver.cleanup();
  }

  void compareMerged(GraphDriver driver, String top, Path dockerHome, String cacheId, String image)
      throws Exception {
    Path ourView = driver.get(top, "");
    Path dockerView = Files.createDirectories(work.resolve("docker-view"));
    List<String> lowers = new ArrayList<>();
    lowers.add("l/" + Files.readString(dockerHome.resolve(cacheId + "/link")).strip());
    Path lowerFile = dockerHome.resolve(cacheId + "/lower");
    if (Files.exists(lowerFile)) {
      lowers.addAll(LowerChain.parse(Files.readString(lowerFile)).entries());
    }
    LibcMounter mounter = new LibcMounter();
    mounter.mount(new OverlayMount(dockerHome, lowers, null, null, dockerView, true, null));
    try {
      assertThat(TreeSnapshot.of(ourView, true))
          .as("merged view of %s", image)
          .isEqualTo(TreeSnapshot.of(dockerView, true));
    } finally {
      mounter.unmount(dockerView);
      driver.put(top);
    }
  }

  static void writeSavedImage(Path target, String tag, List<byte[]> layers) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<String> diffIds = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (byte[] layer : layers) {
      String digest = sha256(layer);
      diffIds.add("sha256:" + digest);
      paths.add(digest + "/layer.tar");
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    config.put("config", Map.of());
    config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
    byte[] configBytes = json.writeValueAsBytes(config);
    String configName = sha256(configBytes) + ".json";
    byte[] manifest =
        json.writeValueAsBytes(
            List.of(Map.of("Config", configName, "RepoTags", List.of(tag), "Layers", paths)));
    try (OutputStream out = Files.newOutputStream(target);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      add(tar, configName, configBytes);
      for (int i = 0; i < layers.size(); i++) {
        add(tar, paths.get(i), layers.get(i));
      }
      add(tar, "manifest.json", manifest);
    }
  }

  static void add(TarArchiveOutputStream tar, String name, byte[] data) throws Exception {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  static String sha256(String s) throws Exception {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static void run(String... command) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
  }
}
