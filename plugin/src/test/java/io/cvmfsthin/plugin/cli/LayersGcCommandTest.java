package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code layers gc} through {@link io.cvmfsthin.plugin.Main#run}: listing, removal, errors. */
class LayersGcCommandTest {
  static final String FQRN = "layers-cli.example.org";
  static final String HEX = "c".repeat(64);
  static final String LAYER = "/.layers/cc/" + HEX;

  @TempDir Path tmp;

  String storage() {
    return tmp.resolve("srv").toString();
  }

  String keys() {
    return tmp.resolve("keys").toString();
  }

  /** A repository with one converted layer that nothing references. */
  void oneUnreferencedLayer() throws Exception {
    assertThat(Cli.run("repo", "create", "--storage", storage(), "--keys", keys(), FQRN).exit())
        .isZero();
    Path fs = Files.createDirectories(tmp.resolve("layerfs/etc"));
    Files.writeString(fs.resolve("os-release"), "x".repeat(1000));
    publish(tmp.resolve("layerfs"), LAYER + "/layerfs", "--nested-catalog");
    Path meta = Files.createDirectories(tmp.resolve("meta"));
    Files.writeString(meta.resolve("layers.json"), "[]");
    publish(meta, LAYER + "/.metadata");
  }

  void publish(Path dir, String at, String... more) {
    String[] args = {
      "repo", "publish", "--storage", storage(), "--keys", keys(), FQRN, dir.toString(), "--at", at
    };
    String[] all =
        java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(more))
            .toArray(String[]::new);
    Cli p = Cli.run(all);
    assertThat(p.exit()).as(p.stderr()).isZero();
  }

  Cli gc(String... options) {
    String[] args = {"layers", "gc", "--storage", storage(), "--keys", keys(), FQRN};
    return Cli.run(
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(args), java.util.Arrays.stream(options))
            .toArray(String[]::new));
  }

  @Test
  void help_isPrinted() {
    Cli r = Cli.run("layers", "gc", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--grace-days").contains("--delete");
  }

  @Test
  void dryRunByDefault_thenDelete() throws Exception {
    oneUnreferencedLayer();
    Cli young = gc();
    assertThat(young.exit()).as(young.stderr()).isZero();
    assertThat(young.out()).contains("1 within the grace period").contains("would remove 0 layers");

    Cli dry = gc("--grace-days", "0");
    assertThat(dry.exit()).as(dry.stderr()).isZero();
    assertThat(dry.out())
        .contains("would remove " + LAYER + " (1002 B")
        .contains("would remove 1 layers")
        .contains("--delete");

    Cli real = gc("--grace-days", "0", "--delete");
    assertThat(real.exit()).as(real.stderr()).isZero();
    assertThat(real.out())
        .contains("removed " + LAYER)
        .contains("removed 1 layers")
        .contains("in revision 3; `repo gc` frees their objects");

    Cli repoGc =
        Cli.run(
            "repo", "gc", "--storage", storage(), "--keys", keys(), FQRN, "--keep-revisions", "1");
    assertThat(repoGc.exit()).as(repoGc.stderr()).isZero();
    assertThat(repoGc.out()).containsPattern("deleted [1-9]");
  }

  @Test
  void unknownRepository_isOneLineError() {
    Cli r = gc();
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr().strip()).contains("no repository " + FQRN).doesNotContain("\n");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"--grace-days -1|>= 0", "--grace-days NaN|>= 0", "--grace-days soon|soon"})
  void badGrace_isRefused(String options, String message) throws Exception {
    oneUnreferencedLayer();
    Cli r = gc((options + " --delete").split(" "));
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr()).contains(message).doesNotContain("\tat ");
  }
}
