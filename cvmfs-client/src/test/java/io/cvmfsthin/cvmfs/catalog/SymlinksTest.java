package io.cvmfsthin.cvmfs.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SymlinksTest {
  static final Map<String, String> ENV = Map.of("ARCH", "x86_64", "EMPTY", "");

  @ParameterizedTest
  @CsvSource({
    "../README.txt, ../README.txt",
    "/sw/$(ARCH)/bin, /sw/x86_64/bin",
    "/sw/$(OS:-linux)/$(ARCH), /sw/linux/x86_64",
    "/sw/$(UNSET)/lib, /sw//lib",
    "/sw/$(EMPTY:-d), /sw/",
    "/sw/$(ARCH, /sw/$(ARCH",
    "$$(ARCH)$, $x86_64$",
  })
  void expand_asTheStockClient(String raw, String expected) {
    assertThat(Symlinks.expand(raw, ENV::get)).isEqualTo(expected);
  }
}
