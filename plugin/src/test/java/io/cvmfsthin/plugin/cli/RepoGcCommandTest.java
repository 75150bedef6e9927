package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code repo gc} through {@link io.cvmfsthin.plugin.Main#run}: its report and its errors. */
class RepoGcCommandTest {
  static final String FQRN = "gc-cli.example.org";
  static final Pattern SWEPT =
      Pattern.compile("scanned (\\d+) objects .*, (would delete|deleted) (\\d+) ");

  @TempDir Path tmp;

  String storage() {
    return tmp.resolve("srv").toString();
  }

  String keys() {
    return tmp.resolve("keys").toString();
  }

  /** A repository with three revisions of one changing file. */
  void threeRevisions() throws Exception {
    assertThat(Cli.run("repo", "create", "--storage", storage(), "--keys", keys(), FQRN).exit())
        .isZero();
    for (int i = 1; i <= 3; i++) {
      Path src = Files.createDirectories(tmp.resolve("src" + i));
      Files.writeString(src.resolve("f.txt"), "revision " + i);
      Cli p =
          Cli.run(
              "repo", "publish", "--storage", storage(), "--keys", keys(), FQRN, src.toString());
      assertThat(p.exit()).as(p.stderr()).isZero();
    }
  }

  Cli gc(String... options) {
    List<String> args =
        Stream.concat(
                Stream.of("repo", "gc", "--storage", storage(), "--keys", keys(), FQRN),
                Stream.of(options))
            .toList();
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void help_isPrinted() {
    Cli r = Cli.run("repo", "gc", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage:").contains("--keep-revisions").contains("--dry-run");
  }

  @Test
  void dryRunThenGc_reportEachPhase_andTheSameCounts() throws Exception {
    threeRevisions();
    Cli dry = gc("--keep-revisions", "1", "--dry-run");
    assertThat(dry.exit()).as(dry.stderr()).isZero();
    assertThat(dry.out())
        .contains(FQRN + ": marked ")
        .contains("of 2 revisions [3, 2] (tags: ")
        .contains("trunk-previous")
        .contains("would delete")
        .doesNotContain("reflog");
    Matcher d = SWEPT.matcher(dry.out());
    assertThat(d.find()).as(dry.out()).isTrue();

    Cli real = gc("--keep-revisions", "1");
    assertThat(real.exit()).as(real.stderr()).isZero();
    Matcher r = SWEPT.matcher(real.out());
    assertThat(r.find()).as(real.out()).isTrue();
    assertThat(r.group(2)).isEqualTo("deleted");
    assertThat(r.group(1)).isEqualTo(d.group(1));
    assertThat(r.group(3)).isEqualTo(d.group(3)).isNotEqualTo("0");
    assertThat(real.out()).contains("reflog entries of deleted objects; manifest re-signed");

    Cli again = gc("--keep-days", "0");
    assertThat(again.exit()).as(again.stderr()).isZero();
    assertThat(again.out()).contains(", deleted 0 (");
  }

  @Test
  void unknownRepository_isOneLineError() {
    Cli r = gc("--keep-revisions", "1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr().strip())
        .startsWith("error: ")
        .contains("no repository " + FQRN)
        .doesNotContain("\n");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--keep-revisions 0|at least 1",
        "--keep-revisions -3|at least 1",
        "--keep-revisions many|many",
        "--keep-days -1|>= 0",
        "--keep-days NaN|>= 0",
        "--keep-days soon|soon",
        "--keep-revisions 2 --keep-days 1|not both"
      })
  void badNumbers_areRefusedBeforeAnythingIsTouched(String options, String message)
      throws Exception {
    threeRevisions();
    Path data = tmp.resolve("srv").resolve(FQRN).resolve("data");
    long before = countFiles(data);
    Cli r = gc(options.split(" "));
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr()).contains(message).doesNotContain("\tat ");
    assertThat(countFiles(data)).isEqualTo(before);
  }

  static long countFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
