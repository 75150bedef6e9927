package io.cvmfsthin.cvmfs.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WhiteoutsTest {
  @ParameterizedTest
  @CsvSource({
    "passwd, NONE",
    ".whatever, NONE",
    ".wh.passwd, WHITEOUT",
    ".wh..wh..opq, OPAQUE",
    ".wh..wh.plnk, META",
    ".wh..wh.aufs, META"
  })
  void kind(String name, Whiteouts.Kind kind) {
    assertThat(Whiteouts.kind(name)).isEqualTo(kind);
  }

  @Test
  void deletedName_andBack() throws Exception {
    assertThat(Whiteouts.deletedName(".wh.passwd", "etc/.wh.passwd")).isEqualTo("passwd");
    assertThat(Whiteouts.whiteoutName("passwd")).isEqualTo(".wh.passwd");
  }

  @Test
  void deletedName_empty_isRefused() {
    assertThatThrownBy(() -> Whiteouts.deletedName(".wh.", "etc/.wh."))
        .isInstanceOf(TarFormatException.class)
        .hasMessageContaining("entry \"etc/.wh.\": whiteout of \"\" refused");
  }
}
