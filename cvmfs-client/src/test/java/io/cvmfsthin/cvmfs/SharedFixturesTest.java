package io.cvmfsthin.cvmfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedFixturesTest {

  @Test
  void realRepo_isFoundThroughThePropertyMavenSets() {
    assertThat(SharedFixtures.realRepo().resolve("keys/fixture.example.org.pub")).isRegularFile();
  }

  @Test
  void missingProperty_failsNamingIt() {
    assertThatThrownBy(() -> SharedFixtures.root(null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("system property cvmfs.fixtures is not set");
  }

  @Test
  void missingDirectory_failsNamingItAndTheProperty(@TempDir Path tmp) {
    Path gone = tmp.resolve("no-fixtures");
    assertThatThrownBy(() -> SharedFixtures.root(gone.toString()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(gone.toString())
        .hasMessageContaining("cvmfs.fixtures")
        .hasMessageContaining("does not exist");
  }
}
