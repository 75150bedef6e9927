package io.cvmfsthin.cvmfs.linux;

import java.nio.file.Path;

/** umount2(2), the one way this system unmounts (FUSE mounts and overlay mounts alike). */
public final class Umount {
  /** Detach now, clean up once the last user has gone (also clears a dead FUSE server's mount). */
  public static final int MNT_DETACH = 2;

  private Umount() {}

  /**
   * Unmounts {@code target} with {@code flags} (0 or {@link #MNT_DETACH}).
   *
   * @return 0 when unmounted, otherwise the errno ({@link Errno#EINVAL}: nothing mounted there)
   */
  public static int umount2(Path target, int flags) {
    return LibC.INSTANCE.umount2(target.toString(), flags) == 0 ? 0 : Errno.last();
  }
}
