package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FuseTransportTest {
  @ParameterizedTest
  @CsvSource({
    "libfuse,LIBFUSE",
    "kernel,KERNEL",
    "KERNEL,KERNEL",
    "' kernel ',KERNEL",
    "auto,AUTO"
  })
  void parse_knownNames(String value, FuseTransport expected) {
    assertThat(FuseTransport.parse(value)).isEqualTo(expected);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  "})
  void parse_unset_isAuto(String value) {
    assertThat(FuseTransport.parse(value)).isEqualTo(FuseTransport.AUTO);
  }

  @ParameterizedTest
  @CsvSource({
    "true,true,KERNEL",
    "false,true,LIBFUSE", // not root: mount(2) would be refused
    "true,false,LIBFUSE", // root without a usable /dev/fuse
    "false,false,LIBFUSE"
  })
  void resolve_auto_isKernelOnlyForRootWithDevFuse(
      boolean root, boolean devFuse, FuseTransport expected) {
    assertThat(FuseTransport.AUTO.resolve(root, devFuse)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"libfuse", "kernel"})
  void resolve_chosenTransport_isKeptWhateverCanRun(String name) {
    FuseTransport chosen = FuseTransport.parse(name);
    assertThat(chosen.resolve(false, false)).isEqualTo(chosen);
    assertThat(chosen.resolve(true, true)).isEqualTo(chosen);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fuse3", "kernel2", "lib fuse"})
  void parse_unknownName_isRejectedNamingSettingAndValue(String value) {
    assertThatThrownBy(() -> FuseTransport.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CVMFS_FUSE_TRANSPORT")
        .hasMessageContaining(value)
        .hasMessageContaining("libfuse, kernel or auto");
  }

  @ParameterizedTest
  @ValueSource(strings = {"libfuse", "kernel", "auto"})
  void configName_roundTrips(String name) {
    assertThat(FuseTransport.parse(name).configName()).isEqualTo(name);
  }
}
