package io.cvmfsthin.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.tar.TarFormatException;
import io.cvmfsthin.driver.archive.TestTar;
import io.cvmfsthin.driver.commit.CommitPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Hostile layer tars are refused with the entry named, and leave nothing behind. */
@Tag("root")
class HostileTarIT {
  static Stream<Arguments> hostile() {
    return Stream.of(
        Arguments.of(
            "write through symlink",
            (Function<String, TestTar>) o -> new TestTar().symlink("s", o).file("s/evil", "x"),
            "\"s/evil\": refused, it writes through symlink s"),
        Arguments.of(
            "whiteout through symlink",
            (Function<String, TestTar>) o -> new TestTar().symlink("s", o).file("s/.wh.keep", ""),
            "\"s/.wh.keep\": refused, it writes through symlink s"),
        Arguments.of(
            "opaque through symlink",
            (Function<String, TestTar>)
                o -> new TestTar().symlink("s", o).file("s/.wh..wh..opq", ""),
            "\"s/.wh..wh..opq\": refused, it writes through symlink s"),
        Arguments.of(
            "hard link climbing out (cleaned to keep, not in the layer)",
            (Function<String, TestTar>) o -> new TestTar().hardlink("h", "../keep"),
            "\"h\": hard link target \"keep\" does not exist in the layer"),
        Arguments.of(
            "hard link to an absolute path (cleaned to etc/passwd, not in the layer)",
            (Function<String, TestTar>) o -> new TestTar().hardlink("h", "/etc/passwd"),
            "\"h\": hard link target \"etc/passwd\" is not inside the layer"),
        Arguments.of(
            "hard link through symlink",
            (Function<String, TestTar>) o -> new TestTar().symlink("s", o).hardlink("h", "s/keep"),
            "\"h\": hard link target \"s/keep\" is not inside the layer (through s)"),
        Arguments.of(
            "hard link to nothing",
            (Function<String, TestTar>) o -> new TestTar().hardlink("h", "missing"),
            "\"h\": hard link target \"missing\" does not exist in the layer"),
        Arguments.of(
            "unsupported type",
            (Function<String, TestTar>) o -> new TestTar().file("ok", "x").type("vol", 'V'),
            "\"vol\": unsupported entry type 'V'"),
        Arguments.of("truncated data", (Function<String, TestTar>) o -> null, "malformed tar"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void applyDiff_hostileTar_isRefusedAndLeavesNothing(
      String name, Function<String, TestTar> tarFor, String message, @TempDir Path tmp)
      throws Exception {
    Path outside = tmp.resolve("OUTSIDE");
    Files.createDirectory(outside);
    Files.writeString(outside.resolve("keep"), "precious");
    Path home = tmp.resolve("home");
    GraphDriver driver =
        new GraphDriver(Host.linux(), RepositoryMounts.NONE, CommitPublisher.NONE, Duration.ZERO);
    driver.init(home, List.of());
    driver.create(CreateRequest.of("base", ""));
    TestTar tar = tarFor.apply(outside.toString());
    byte[] bytes =
        tar == null
            ? java.util.Arrays.copyOf(new TestTar().file("f", "x".repeat(2000)).bytes(), 1024)
            : tar.bytes();
    assertThatThrownBy(() -> driver.applyDiff("base", "", new java.io.ByteArrayInputStream(bytes)))
        .isInstanceOf(TarFormatException.class)
        .hasMessageContaining("layer base")
        .hasMessageContaining(message);

    assertThat(outside.resolve("keep")).hasContent("precious");
    assertThat(Files.list(outside)).hasSize(1);
    assertThat(Files.list(home.resolve("base/diff"))).isEmpty();
    assertThat(Files.list(home.resolve("base")).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("diff", "link");
    assertThat(Files.list(home).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder("base", "l");
  }

  /**
   * Names that climb or are absolute are cleaned from the layer root, as Docker's overlay2 does (it
   * extracts in a chroot of the layer): they land inside the layer, never outside.
   */
  @org.junit.jupiter.api.Test
  void applyDiff_climbingAndAbsoluteNames_landInsideTheLayer(@TempDir Path tmp) throws Exception {
    Path home = tmp.resolve("home").resolve("a").resolve("b");
    GraphDriver driver =
        new GraphDriver(Host.linux(), RepositoryMounts.NONE, CommitPublisher.NONE, Duration.ZERO);
    driver.init(home, List.of());
    driver.create(CreateRequest.of("base", ""));
    byte[] bytes =
        new TestTar()
            .file("/tmp/x", "1")
            .file("../../../tmp/y", "2")
            .file("a/../../../tmp/z", "3")
            .hardlink("../../h", "/tmp/x")
            .bytes();
    driver.applyDiff("base", "", new java.io.ByteArrayInputStream(bytes));

    Path diff = home.resolve("base/diff");
    assertThat(diff.resolve("tmp/x")).hasContent("1");
    assertThat(diff.resolve("tmp/y")).hasContent("2");
    assertThat(diff.resolve("tmp/z")).hasContent("3");
    assertThat(Files.isSameFile(diff.resolve("h"), diff.resolve("tmp/x"))).isTrue();
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(Files::isRegularFile).map(p -> diff.relativize(p).toString()))
          .filteredOn(rel -> !rel.startsWith(".."))
          .containsExactlyInAnyOrder("tmp/x", "tmp/y", "tmp/z", "h");
    }
    try (Stream<Path> outside = Files.list(tmp)) {
      assertThat(outside.map(p -> p.getFileName().toString())).containsExactly("home");
    }
  }
}
