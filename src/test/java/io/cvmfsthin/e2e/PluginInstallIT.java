package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.e2e.support.Cli;
import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.LocalRegistry;
import io.cvmfsthin.e2e.support.NginxStratum;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The plugin distributed as plugins are: built and {@code docker plugin push}ed to a registry by
 * one dockerd, {@code docker plugin install}ed from there by a second one, which then runs a thin
 * image with it. The privileges the install asks for are exactly those README.md justifies.
 */
@Tag("registry")
@Tag("docker")
@Tag("fuse")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PluginInstallIT {
  static final String FQRN = "install.e2e.local";

  Path work;
  LocalRegistry registry;
  NginxStratum stratum;
  PrivateDockerd builder;
  PluginDaemon daemon;
  String remote;
  String thin;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    registry = new LocalRegistry(work.resolve("registry")).start();
    Path storage = work.resolve("stratum");
    Path keys = work.resolve("keys");
    Cli.createRepository(storage, keys, FQRN);
    stratum = new NginxStratum(work.resolve("nginx"), storage).start();

    // the first dockerd: builds the plugin and an image, pushes both
    builder = new PrivateDockerd(work.resolve("builder")).start("overlay2");
    Path pluginDir = work.resolve("plugin-dir");
    PluginDaemon.makePluginDir(builder, pluginDir);
    remote = registry.address() + "/cvmfs/thin:1";
    builder.dockerOk("plugin", "create", remote, pluginDir.toString());
    builder.dockerOk("plugin", "push", remote);

    TestImages.importBusybox(builder, work.resolve("img"), "test/base:1");
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"), "FROM test/base:1\nRUN echo installed > /hello.txt\n");
    String source = registry.address() + "/e2e/hello:1";
    TestImages.build(builder, ctx, source);
    builder.dockerOk("push", source);
    Cli.convert(source, storage, keys, FQRN);
    thin = registry.address() + "/e2e/hello_thin:1";

    // the second dockerd: installs the plugin from the registry
    daemon = PluginDaemon.install(work.resolve("plugin"), remote, List.of());
    daemon.configureRepository(FQRN, keys.resolve(FQRN + ".pub"), stratum.serverUrl());
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, daemon, builder, stratum, registry);
  }

  @Test
  @Order(1)
  void install_asksForTheDocumentedPrivilegesOnly() throws IOException {
    // a third dockerd, asked the same question but answering no
    try (PrivateDockerd asked = new PrivateDockerd(work.resolve("asked")).start("overlay2")) {
      Cmd.Result r =
          asked.docker(
              new ByteArrayInputStream("n\n".getBytes(StandardCharsets.UTF_8)),
              Duration.ofMinutes(2),
              "plugin",
              "install",
              remote);
      assertThat(r.exit()).isNotZero();
      List<String> privileges =
          r.stdout().lines().filter(l -> l.startsWith(" - ")).map(String::strip).toList();
      assertThat(privileges)
          .containsExactlyInAnyOrder(
              "- network: [host]",
              "- mount: [/mnt]",
              "- mount: [/mnt]",
              "- device: [/dev/fuse]",
              "- capabilities: [CAP_SYS_ADMIN]");
    }
  }

  @Test
  @Order(2)
  void installedPlugin_runsAThinImage() {
    PrivateDockerd docker = daemon.docker();
    assertThat(docker.dockerOk("info", "--format", "{{.Driver}}")).isEqualTo(PluginDaemon.PLUGIN);
    assertThat(
            docker.dockerOk(
                "plugin", "inspect", "--format", "{{.PluginReference}}", PluginDaemon.PLUGIN))
        .isEqualTo(remote);
    docker.dockerOk("pull", thin);
    assertThat(docker.dockerOk("run", "--rm", "--network", "none", thin, "cat", "/hello.txt"))
        .isEqualTo("installed");
  }
}
