package io.cvmfsthin.driver.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LayerIdsTest {
  @ParameterizedTest
  @ValueSource(strings = {"0123abcdef", "0123abcdef-init"})
  void check_acceptsDockerIds(String id) {
    assertThat(LayerIds.check(id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "..", "a/b", "/abs", "a:b", ".hidden", "l/../x"})
  void check_refusesPathLikeIds(String id) {
    assertThatThrownBy(() -> LayerIds.check(id)).hasMessageContaining("is not a valid id");
  }
}
