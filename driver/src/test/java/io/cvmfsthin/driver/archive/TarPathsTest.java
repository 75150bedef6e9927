package io.cvmfsthin.driver.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  @ParameterizedTest
  @CsvSource({
    "/etc/passwd, absolute name",
    "../x, contains '..'",
    "a/../../x, contains '..'",
    "a/.., contains '..'"
  })
  void normalize_hostileNames_areRefusedNamingTheEntry(String name, String message) {
    assertThatThrownBy(() -> TarPaths.normalize(name, name, "name"))
        .isInstanceOf(TarFormatException.class)
        .hasMessageContaining("entry \"" + name + "\"")
        .hasMessageContaining(message);
  }

  @org.junit.jupiter.api.Test
  void parentAndBase() {
    assertThat(TarPaths.parent("a/b/c")).isEqualTo("a/b");
    assertThat(TarPaths.parent("c")).isEmpty();
    assertThat(TarPaths.baseName("a/b/c")).isEqualTo("c");
  }
}
