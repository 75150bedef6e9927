package io.cvmfsthin.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.e2e.support.Cmd;
import io.cvmfsthin.e2e.support.MetricsEndpoint;
import io.cvmfsthin.e2e.support.PluginDaemon;
import io.cvmfsthin.e2e.support.PrivateDockerd;
import io.cvmfsthin.e2e.support.TestImages;
import io.cvmfsthin.e2e.support.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The plugin as a new user meets it: {@code docker plugin create} and {@code enable} with
 * config.json's defaults, nothing set, on a host without any CernVM-FS configuration (the plugin
 * sees only the placeholder its cvmfs-config mount defaults to). Ordinary images work; a thin image
 * is refused with the settings that would make it work named.
 */
@Tag("docker")
@Tag("root")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PluginDefaultsIT {
  static final String FQRN = "thin.defaults.local";

  Path work;
  PluginDaemon daemon;
  PrivateDockerd docker;

  @BeforeAll
  void start() throws IOException {
    work = WorkDirs.create(getClass());
    System.out.printf(
        "[info] this host %s /etc/cvmfs%n", Files.exists(Path.of("/etc/cvmfs")) ? "has" : "has no");
    daemon = PluginDaemon.startWithDefaults(work.resolve("plugin"));
    docker = daemon.docker();
  }

  @AfterAll
  void stop() {
    WorkDirs.closeAll(work, daemon);
  }

  @Test
  @Order(1)
  void defaults_mountNoHostCvmfsConfiguration() {
    String mounts =
        docker.dockerOk(
            "plugin",
            "inspect",
            "--format",
            "{{range .Settings.Mounts}}{{.Name}}={{.Source}} {{end}}",
            PluginDaemon.PLUGIN);
    // every source is a directory that exists on every Linux host, so enable works anywhere
    assertThat(mounts.split(" "))
        .containsExactlyInAnyOrder("cvmfs-config=/mnt", "cvmfs-publish=/mnt");
  }

  @Test
  @Order(2)
  void defaults_serveNoMetricsEndpoint() throws IOException {
    String env =
        docker.dockerOk(
            "plugin", "inspect", "--format", "{{json .Settings.Env}}", PluginDaemon.PLUGIN);
    assertThat(env).contains("\"METRICS_ADDRESS=\"");
    List<Long> pids = daemon.pluginPids();
    assertThat(pids).hasSize(1);
    assertThat(MetricsEndpoint.listeningPorts(pids.get(0)))
        .as("TCP ports the plugin listens on")
        .isEmpty();
  }

  @Test
  @Order(3)
  void ordinaryImage_runs() throws IOException {
    TestImages.importBusybox(docker, work.resolve("img"), "test/base:1");
    String out =
        docker.dockerOk(
            "run", "--rm", "--network", "none", "test/base:1", "sh", "-c", "echo ok; id -u");
    assertThat(out).isEqualTo("ok\n0");
  }

  @Test
  @Order(4)
  void thinImage_isRefusedNamingTheMissingSettings() throws IOException {
    // a thin image's one layer: thin.json naming a layer in a repository this host does not know
    Path layer = Files.createDirectories(work.resolve("thin-layer"));
    String digest = "a".repeat(64);
    Files.writeString(
        layer.resolve("thin.json"),
        "{\"version\":\"1.0\",\"layers\":[{\"digest\":\""
            + digest
            + "\",\"url\":\"cvmfs://"
            + FQRN
            + "/.layers/aa/"
            + digest
            + "/layerfs\"}]}");
    Path tar = work.resolve("thin-layer.tar");
    Cmd.run("tar", "--numeric-owner", "-C", layer.toString(), "-cf", tar.toString(), ".").orThrow();
    // import stores the layer through ApplyDiff, exactly as a pull does
    Cmd.Result imported = docker.docker("import", tar.toString(), "test/thin:1");
    assertThat(imported.exit()).isNotZero();
    assertThat(imported.stderr())
        .contains("repository " + FQRN, "is not configured on this host")
        .contains("no CVMFS_SERVER_URL for it", "docker plugin set", "cvmfs-config.source=");
    assertThat(docker.dockerOk("images", "-q", "test/thin:1")).isEmpty();
  }
}
