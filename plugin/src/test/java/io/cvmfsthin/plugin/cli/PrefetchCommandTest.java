package io.cvmfsthin.plugin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prefetch publish} through {@link io.cvmfsthin.plugin.Main#run}. */
class PrefetchCommandTest {
  static final String FQRN = "pf.example.org";
  static final String KEY = "ab" + "0123456789abcdef".repeat(3) + "0123456789ab3f";
  static final String L = "/.layers/cd/cd12/layerfs";

  private static String[] repo(Path tmp) {
    String storage = tmp.resolve("srv").toString();
    String keys = tmp.resolve("keys").toString();
    Cli c = Cli.run("repo", "create", "--storage", storage, "--keys", keys, FQRN);
    assertThat(c.exit()).as(c.stderr()).isZero();
    return new String[] {storage, keys};
  }

  @Test
  void publish_putsTheListAtItsPlace_namedByTheFile(@TempDir Path tmp) throws Exception {
    String[] at = repo(tmp);
    PrefetchList list = new PrefetchList(List.of(L + "/usr/bin/sh", L + "/etc/passwd"));
    Path file =
        Files.write(
            Files.createDirectories(tmp.resolve("state/prefetch")).resolve(KEY), list.toBytes());
    Cli p =
        Cli.run("prefetch", "publish", "--storage", at[0], "--keys", at[1], FQRN, file.toString());
    assertThat(p.exit()).as(p.stderr()).isZero();
    assertThat(p.out())
        .contains("published 2 entries at " + FQRN + ":/.prefetch/ab/" + KEY + "/list")
        .contains("revision 1");
    AtomicReference<Optional<byte[]>> published = new AtomicReference<>();
    RepositoryPublisher.open(Path.of(at[0]), Path.of(at[1]), FQRN)
        .transaction(t -> published.set(t.read(PrefetchList.repositoryPath(KEY))));
    assertThat(published.get()).hasValueSatisfying(b -> assertThat(b).isEqualTo(list.toBytes()));
  }

  @Test
  void publish_withAFileNotNamedByAKey_needsChain(@TempDir Path tmp) throws Exception {
    String[] at = repo(tmp);
    Path file = Files.write(tmp.resolve("list.txt"), new PrefetchList(List.of(L + "/a")).toBytes());
    Cli p =
        Cli.run("prefetch", "publish", "--storage", at[0], "--keys", at[1], FQRN, file.toString());
    assertThat(p.exit()).isNotZero();
    assertThat(p.stderr()).contains("chain key 'list.txt'").contains("--chain");
    Cli ok =
        Cli.run(
            "prefetch",
            "publish",
            "--storage",
            at[0],
            "--keys",
            at[1],
            FQRN,
            file.toString(),
            "--chain",
            KEY);
    assertThat(ok.exit()).as(ok.stderr()).isZero();
  }

  @Test
  void publish_ofSomethingThatIsNoList_isRefused_andPublishesNothing(@TempDir Path tmp)
      throws Exception {
    String[] at = repo(tmp);
    Path file = Files.writeString(tmp.resolve(KEY), L + "/a\n", StandardCharsets.UTF_8);
    Cli p =
        Cli.run("prefetch", "publish", "--storage", at[0], "--keys", at[1], FQRN, file.toString());
    assertThat(p.exit()).isNotZero();
    assertThat(p.stderr()).contains("not a prefetch list").contains(KEY);
    assertThat(RepositoryPublisher.open(Path.of(at[0]), Path.of(at[1]), FQRN).manifest().revision())
        .isZero();
  }
}
