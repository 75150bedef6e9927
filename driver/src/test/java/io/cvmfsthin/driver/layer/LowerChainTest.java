package io.cvmfsthin.driver.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LowerChainTest {
  @Test
  void child_isParentLinkThenParentChain() {
    LowerChain parent = LowerChain.parse("l/B:l/C");
    LowerChain child = LowerChain.child("x", List.of("l/A"), parent);
    assertThat(child.format()).isEqualTo("l/A:l/B:l/C");
    assertThat(LowerChain.parse(child.format())).isEqualTo(child);
    assertThat(LowerChain.parse("").entries()).isEmpty();
  }

  @Test
  void child_beyond128_isRefused() {
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < 128; i++) {
      entries.add("l/" + i);
    }
    assertThat(LowerChain.child("ok", entries, new LowerChain(List.of())).entries()).hasSize(128);
    assertThatThrownBy(() -> LowerChain.child("deep", List.of("l/top"), new LowerChain(entries)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "max depth exceeded: layer deep would have 129 lower layers, overlay2 allows 128");
  }
}
