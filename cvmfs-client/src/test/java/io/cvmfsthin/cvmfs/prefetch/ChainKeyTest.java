package io.cvmfsthin.cvmfs.prefetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChainKeyTest {
  private static final ChainKey.Layer BASE =
      new ChainKey.Layer("a.example.org", ".layers/ab/ab12/layerfs");
  private static final ChainKey.Layer TOP =
      new ChainKey.Layer("a.example.org", ".layers/cd/cd34/layerfs");

  @Test
  void of_isTheSha256OfTheBottomFirstUrls() {
    // printf
    // 'cvmfs://a.example.org/.layers/ab/ab12/layerfs\ncvmfs://a.example.org/.layers/cd/cd34/layerfs' | sha256sum
    assertThat(ChainKey.of(List.of(BASE, TOP)))
        .isEqualTo("f7aed48e6c7d8141b8f23cd720d5d52f85f98de9a457c60d987f7cc1dedf13e9");
    assertThat(ChainKey.isKey(ChainKey.of(List.of(BASE, TOP)))).isTrue();
  }

  @Test
  void of_isStable_andIgnoresSlashesAroundThePath() {
    ChainKey.Layer slashed = new ChainKey.Layer("a.example.org", "/.layers/ab/ab12/layerfs/");
    assertThat(ChainKey.of(List.of(slashed, TOP))).isEqualTo(ChainKey.of(List.of(BASE, TOP)));
  }

  @Test
  void of_dependsOnOrderRepositoryAndEveryLayer() {
    String key = ChainKey.of(List.of(BASE, TOP));
    assertThat(ChainKey.of(List.of(TOP, BASE))).isNotEqualTo(key);
    assertThat(ChainKey.of(List.of(BASE))).isNotEqualTo(key);
    assertThat(ChainKey.of(List.of(new ChainKey.Layer("b.example.org", BASE.path()), TOP)))
        .isNotEqualTo(key);
  }

  @Test
  void isKey_acceptsOnlySixtyFourLowerHexDigits() {
    assertThat(ChainKey.isKey("0".repeat(64))).isTrue();
    assertThat(ChainKey.isKey("A".repeat(64))).isFalse();
    assertThat(ChainKey.isKey("0".repeat(63))).isFalse();
    assertThat(ChainKey.isKey("../" + "0".repeat(61))).isFalse();
  }
}
