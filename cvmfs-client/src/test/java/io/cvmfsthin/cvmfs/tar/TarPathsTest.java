package io.cvmfsthin.cvmfs.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TarPathsTest {
  @ParameterizedTest
  @CsvSource({
    "./etc/passwd, etc/passwd",
    "etc//passwd/, etc/passwd",
    "./, ''",
    "., ''",
    "a/./b, a/b",
    "..foo/bar..,  ..foo/bar.."
  })
  void normalize_relativeNames(String name, String expected) throws Exception {
    assertThat(TarPaths.normalize(name, name, "name")).isEqualTo(expected);
  }

  /** What Docker's overlay2 stores for these names (tried with docker load on dockerd 20.10). */
  @ParameterizedTest
  @CsvSource({
    "/tmp/x, tmp/x",
    "../../../tmp/x, tmp/x",
    "a/../../../tmp/x, tmp/x",
    "a/b/../c, a/c",
    "a/.., ''",
    "/, ''",
    "../, ''"
  })
  void normalize_namesClimbingOrAbsolute_areCleanedFromTheLayerRoot(String name, String expected)
      throws Exception {
    assertThat(TarPaths.normalize(name, name, "name")).isEqualTo(expected);
  }

  @Test
  void normalize_nulByte_isRefusedNamingTheEntry() {
    assertThatThrownBy(() -> TarPaths.normalize("a\0b", "a\0b", "hard link target"))
        .isInstanceOf(TarFormatException.class)
        .hasMessageContaining("entry \"a\\0b\"")
        .hasMessageContaining("NUL byte in hard link target");
  }

  @Test
  void parentAndBase() {
    assertThat(TarPaths.parent("a/b/c")).isEqualTo("a/b");
    assertThat(TarPaths.parent("c")).isEmpty();
    assertThat(TarPaths.baseName("a/b/c")).isEqualTo("c");
  }
}
