package io.cvmfsthin.cvmfs.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountInfoTest {
  static final String TEXT =
      "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
          + "40 22 0:40 / /data/gd:latest/abc/merged rw,relatime shared:2 - overlay overlay"
          + " rw,lowerdir=l/A,upperdir=abc/diff,workdir=abc/work\n"
          + "41 22 0:41 / /data/with\\040space rw - fuse.cvmfs cvmfs2 rw\n";

  @Test
  void parse_unescapesAndFindsMounts() {
    MountInfo info = MountInfo.parse(TEXT);
    assertThat(info.entries()).hasSize(3);
    assertThat(info.entries().get(1).fsType()).isEqualTo("overlay");
    assertThat(info.isMountPoint(Path.of("/data/gd:latest/abc/merged"))).isTrue();
    assertThat(info.isMountPoint(Path.of("/data/with space"))).isTrue();
    assertThat(info.mountPointsUnder(Path.of("/data")))
        .containsExactly(Path.of("/data/with space"), Path.of("/data/gd:latest/abc/merged"));
  }

  @Test
  void typeOf_isTheTopMostMountAtThatPoint() {
    MountInfo info =
        MountInfo.parse(TEXT + "42 41 0:42 / /data/with\\040space rw - fuse.cvmfs-thin x ro\n");
    assertThat(info.typeOf(Path.of("/data/with space"))).isEqualTo("fuse.cvmfs-thin");
    assertThat(info.typeOf(Path.of("/data"))).isNull();
  }

  @Test
  void parse_skipsLinesWithoutTheSeparator() {
    assertThat(MountInfo.parse("garbage\n\n1 2 3\n").entries()).isEmpty();
  }
}
