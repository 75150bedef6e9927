package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FuseTransportTest {
  @ParameterizedTest
  @CsvSource({"libfuse,LIBFUSE", "kernel,KERNEL", "KERNEL,KERNEL", "' kernel ',KERNEL"})
  void parse_knownNames(String value, FuseTransport expected) {
    assertThat(FuseTransport.parse(value)).isEqualTo(expected);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  "})
  void parse_unset_isLibfuse(String value) {
    assertThat(FuseTransport.parse(value)).isEqualTo(FuseTransport.LIBFUSE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fuse3", "kernel2", "lib fuse"})
  void parse_unknownName_isRejectedNamingSettingAndValue(String value) {
    assertThatThrownBy(() -> FuseTransport.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CVMFS_FUSE_TRANSPORT")
        .hasMessageContaining(value)
        .hasMessageContaining("libfuse or kernel");
  }

  @ParameterizedTest
  @ValueSource(strings = {"libfuse", "kernel"})
  void configName_roundTrips(String name) {
    assertThat(FuseTransport.parse(name).configName()).isEqualTo(name);
  }
}
