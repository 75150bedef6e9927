package io.cvmfsthin.driver.overlay;

import io.cvmfsthin.cvmfs.linux.MountInfo;
import java.io.IOException;
import java.nio.file.Path;

/** The only caller of mount(2)/umount2(2); a @Tag("root") test covers the real one. */
public interface Mounter {
  /** Mounts overlay as described, with the relative paths resolved from its home. */
  void mount(OverlayMount mount) throws IOException;

  /** Lazily unmounts (MNT_DETACH) whatever is mounted at {@code target}. */
  void unmount(Path target) throws IOException;

  /** The current mount table (of this process's mount namespace). */
  MountInfo mountInfo() throws IOException;
}
