package io.cvmfsthin.cvmfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.catalog.Symlinks;
import io.cvmfsthin.cvmfs.object.Compression;
import io.cvmfsthin.cvmfs.object.HashAlgorithm;
import io.cvmfsthin.cvmfs.tar.Whiteouts;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FuseCoreTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "plain|plain",
        "$(HOME)/x|/root/x",
        "$(UNSET)/x|/x",
        "$(UNSET:-dflt)/x|dflt/x",
        "a$(HOME|a$(HOME",
        "$(HOME)$(HOME)|/root/root"
      })
  void symlinks_expandLikeTheStockClient(String raw, String expanded) {
    Map<String, String> env = Map.of("HOME", "/root");
    assertThat(Symlinks.expand(raw, env::get)).isEqualTo(expanded);
  }

  @Test
  void mountTable_readsMountPointsWithEscapes() {
    String info =
        "22 1 8:1 / / rw - ext4 /dev/vda rw\n"
            + "40 22 0:50 / /tmp/a\\040b rw,nosuid - fuse.cvmfs-thin x.org ro\n";
    assertThat(MountTable.mountPoints(info)).containsExactly("/", "/tmp/a b");
    assertThat(MountTable.typeOf(info, "/tmp/a b")).isEqualTo("fuse.cvmfs-thin");
  }

  @Test
  void mountTable_deviceOf_isTheTopMountsMajorMinor_orNull() {
    String info =
        "22 1 8:1 / / rw - ext4 /dev/vda rw\n"
            + "40 22 0:50 / /tmp/a\\040b rw - tmpfs t rw\n"
            + "41 40 0:67 / /tmp/a\\040b ro,nosuid - fuse.cvmfs-thin x.org ro\n";
    assertThat(MountTable.deviceOf(info, "/tmp/a b")).isEqualTo("0:67");
    assertThat(MountTable.deviceOf(info, "/")).isEqualTo("8:1");
    assertThat(MountTable.deviceOf(info, "/tmp")).isNull();
  }

  @Test
  void inodes_areStable_andShared_byHardlinkGroup() {
    DirectoryEntry a = file("/d/a", 3);
    DirectoryEntry b = file("/d/b", 3);
    DirectoryEntry c = file("/d/c", 0);
    assertThat(Inodes.of(a)).isEqualTo(Inodes.of(b)).isNotEqualTo(Inodes.of(c));
    assertThat(Inodes.of(c)).isEqualTo(Inodes.of(file("/d/c", 0))).isGreaterThan(1);
    assertThat(Inodes.of(file("", 0))).isEqualTo(1);
  }

  @Test
  void whiteoutNames() {
    assertThat(Whiteouts.target(".wh.foo")).isEqualTo("foo");
    assertThat(Whiteouts.target(".wh..wh..opq")).isNull();
    assertThat(Whiteouts.target(".wh.")).isNull();
    assertThat(Whiteouts.target("foo")).isNull();
  }

  private static DirectoryEntry file(String path, int group) {
    return new DirectoryEntry(
        path,
        path.isEmpty() ? 040755 : 0100644,
        1,
        0,
        0,
        0,
        0,
        0,
        null,
        HashAlgorithm.SHA1,
        Compression.ZLIB,
        false,
        "",
        group,
        group == 0 ? 1 : 2,
        null,
        4);
  }
}
