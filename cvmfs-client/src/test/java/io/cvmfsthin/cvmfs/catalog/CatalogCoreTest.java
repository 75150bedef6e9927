package io.cvmfsthin.cvmfs.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cvmfsthin.cvmfs.linux.DeviceNumbers;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec §12.1 and §12.3 vectors. */
class CatalogCoreTest {

  @ParameterizedTest
  @CsvSource({
    "'', 338333539836370388, 9098107892288553193",
    "/bin, -735846990825684962, -3461353458792509248",
    "/bin/sh, -8062767661172876487, 6356952437299633274",
    "/README, 1260699381841350931, 8613707985721844280",
    "/software, 3445601412511816508, 6267067367417020806",
    "/.cvmfs, -2402492567927477437, -171651727507129842",
    "/hello.txt, -4683406450497660916, -4484414705795282910",
    "/sw, 748981868904704061, -2189496567014796459",
    "/sw/.cvmfscatalog, 4274631607217774542, 7983434168347012117",
    "/sw/v1, -3326736272818123387, 1550603132038624496",
  })
  void md5path_matchesTheSpecVectors(String path, long high, String low) {
    assertThat(Md5Path.of(path)).isEqualTo(new Md5Path(high, Long.parseLong(low)));
  }

  @Test
  void paths_haveParentsAndRefuseTraversal() {
    assertThat(Md5Path.parentPath("/bin/sh")).isEqualTo("/bin");
    assertThat(Md5Path.parentPath("/bin")).isEqualTo("");
    assertThat(Md5Path.normalize("/")).isEqualTo("");
    assertThat(Md5Path.normalize("a//b/")).isEqualTo("/a/b");
    assertThatThrownBy(() -> Md5Path.normalize("/a/../etc")).hasMessageContaining("'/a/../etc'");
    assertThat(Md5Path.isAtOrBelow("/a/bc", "/a/b")).isFalse();
    assertThat(Md5Path.isAtOrBelow("/a/b/c", "/a/b")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/a", "/a/b.c", "/.a", "/..a", "/a./b", "/.../x", "/a/b/c"})
  void requireValid_acceptsRepositoryPaths(String path) {
    assertThat(Md5Path.requireValid(path)).isSameAs(path);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"a", "/", "/a/", "//a", "/a//b", "/.", "/..", "/a/.", "/a/../b", "/./a", "/a\0b"})
  void requireValid_rejectsOtherForms_namingThePath(String path) {
    assertThatThrownBy(() -> Md5Path.requireValid(path))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a repository path")
        .hasMessageContaining(path);
  }

  @Test
  void xattrBlob_encodesTheSpecVectorAndRoundTrips() {
    Map<String, byte[]> x = new TreeMap<>();
    x.put("user.foo", "bar".getBytes(StandardCharsets.UTF_8));
    assertThat(HexFormat.of().formatHex(XattrBlob.encode(x)))
        .isEqualTo("01010803757365722e666f6f626172");
    x.put("security.capability", new byte[] {1, 0, 0, 2});
    assertThat(XattrBlob.decode(XattrBlob.encode(x)).keySet())
        .containsExactly("security.capability", "user.foo");
    assertThat(XattrBlob.encode(Map.of())).isNull();
    assertThatThrownBy(() -> XattrBlob.decode(new byte[] {2, 0})).hasMessageContaining("version");
    assertThatThrownBy(() -> XattrBlob.decode(new byte[] {1, 1, 8, 3, 'u'}))
        .hasMessageContaining("truncated");
  }

  @Test
  void deviceNumbers_useGlibcEncoding() {
    assertThat(DeviceNumbers.makedev(1, 3)).isEqualTo(259);
    assertThat(DeviceNumbers.makedev(7, 200)).isEqualTo(1992);
    assertThat(DeviceNumbers.major(1992)).isEqualTo(7);
    assertThat(DeviceNumbers.minor(1992)).isEqualTo(200);
    long big = DeviceNumbers.makedev(4095 + 5, 300000);
    assertThat(DeviceNumbers.major(big)).isEqualTo(4100);
    assertThat(DeviceNumbers.minor(big)).isEqualTo(300000);
  }
}
