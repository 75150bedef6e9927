package io.cvmfsthin.driver.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverlayMountTest {
  static final Path HOME = Path.of("/data/gdexp/gd:latest");
  static final String ID = "a".repeat(64);

  static List<String> lowers(int n) {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add("l/" + String.format("%026d", i).replace('0', 'A'));
    }
    return l;
  }

  @Test
  void options_writable_areRelativeToHome() {
    OverlayMount m =
        new OverlayMount(
            HOME,
            List.of("l/A", "l/B"),
            ID + "/diff",
            ID + "/work",
            HOME.resolve(ID + "/merged"),
            true,
            null);
    assertThat(m.options())
        .isEqualTo("index=off,lowerdir=l/A:l/B,upperdir=" + ID + "/diff,workdir=" + ID + "/work");
  }

  @Test
  void options_readOnly_andLabel() {
    OverlayMount m =
        new OverlayMount(
            HOME, List.of("l/A", "l/B"), null, null, HOME, false, "system_u:object_r:x");
    assertThat(m.options()).isEqualTo("lowerdir=l/A:l/B,context=\"system_u:object_r:x\"");
  }

  @Test
  void options_128Lowers_fitInAPage() {
    OverlayMount m =
        new OverlayMount(HOME, lowers(128), ID + "/diff", ID + "/work", HOME, true, null);
    assertThat(m.options().length()).isLessThan(OverlayMount.MAX_DATA);
  }

  @Test
  void options_tooLong_isRefusedClearly() {
    OverlayMount m =
        new OverlayMount(HOME, lowers(200), null, null, HOME.resolve("x"), false, null);
    assertThatThrownBy(m::options)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("more than a page (200 lower dirs)");
  }

  @Test
  void absoluteOrColonLowers_areRefused() {
    assertThatThrownBy(() -> new OverlayMount(HOME, List.of("/abs"), null, null, HOME, false, null))
        .hasMessageContaining("must be relative");
    assertThatThrownBy(() -> new OverlayMount(HOME, List.of("a:b"), null, null, HOME, false, null))
        .hasMessageContaining("must be relative");
  }
}
