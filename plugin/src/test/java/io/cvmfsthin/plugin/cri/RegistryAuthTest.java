package io.cvmfsthin.plugin.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryAuthTest {
  @Test
  void parse_splitsAtTheFirstColon() {
    assertThat(RegistryAuth.parse("bob:pa:ss")).isEqualTo(new RegistryAuth("bob", "pa:ss"));
    assertThat(RegistryAuth.parse("bob:")).isEqualTo(new RegistryAuth("bob", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bob", ":secret"})
  void parse_withoutUser_isRejectedWithoutEchoingTheValue(String value) {
    assertThatThrownBy(() -> RegistryAuth.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("USER:PASSWORD")
        .hasMessageNotContaining("secret");
  }

  @Test
  void toString_hidesThePassword() {
    assertThat(new RegistryAuth("bob", "hunter2").toString())
        .contains("bob")
        .doesNotContain("hunter2");
  }
}
