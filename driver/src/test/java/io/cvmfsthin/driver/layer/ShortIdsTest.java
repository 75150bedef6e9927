package io.cvmfsthin.driver.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShortIdsTest {
  @Test
  void random_is26Base32Chars_andDistinct() {
    Random random = new Random(42);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = ShortIds.random(random);
      assertThat(id).matches("[A-Z2-7]{26}");
      assertThat(ShortIds.isShortId(id)).isTrue();
      seen.add(id);
    }
    assertThat(seen).hasSize(1000);
    assertThat(ShortIds.isShortId("../etc")).isFalse();
  }
}
