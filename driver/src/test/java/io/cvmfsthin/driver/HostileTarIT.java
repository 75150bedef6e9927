package io.cvmfsthin.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.driver.archive.TarFormatException;
import io.cvmfsthin.driver.archive.TestTar;
import java.nio.file.Files;
import java.nio.file.Path;
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
            "absolute name",
            (Function<String, TestTar>) o -> new TestTar().file("/etc/evil", "x"),
            "\"/etc/evil\": absolute name"),
        Arguments.of(
            "dot-dot",
            (Function<String, TestTar>) o -> new TestTar().file("a/../../evil", "x"),
            "\"a/../../evil\": name \"a/../../evil\" contains '..'"),
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
            "hard link leaving the root",
            (Function<String, TestTar>) o -> new TestTar().hardlink("h", "../keep"),
            "\"h\": hard link target \"../keep\" contains '..'"),
        Arguments.of(
            "hard link to an absolute path",
            (Function<String, TestTar>) o -> new TestTar().hardlink("h", "/etc/passwd"),
            "\"h\": absolute hard link target \"/etc/passwd\" refused"),
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
    GraphDriver driver = new GraphDriver(RepositoryMounts.NONE);
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
}
