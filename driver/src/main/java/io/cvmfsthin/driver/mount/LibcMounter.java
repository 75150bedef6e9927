package io.cvmfsthin.driver.mount;

import io.cvmfsthin.cvmfs.linux.Errno;
import io.cvmfsthin.cvmfs.linux.LibC;
import io.cvmfsthin.cvmfs.linux.MountInfo;
import io.cvmfsthin.cvmfs.linux.Umount;
import io.cvmfsthin.driver.overlay.Mounter;
import io.cvmfsthin.driver.overlay.OverlayMount;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Mounter} through mount(2) and umount2(2). Overlay options name directories relative to the
 * driver home (overlay2's way of fitting 128 lowers in a page), so the calling thread first leaves
 * the process-wide working directory ({@code unshare(CLONE_FS)}: the thread gets its own cwd, other
 * threads are unaffected), changes to the home, mounts, and changes back.
 */
public final class LibcMounter implements Mounter {
  private static final Logger log = LoggerFactory.getLogger(LibcMounter.class);

  private final LibC libc = LibC.INSTANCE;
  private final String processCwd = Path.of("").toAbsolutePath().toString();

  @Override
  public void mount(OverlayMount mount) throws IOException {
    String data = mount.options();
    if (libc.unshare(LibC.CLONE_FS) != 0) {
      throw failure("unshare(CLONE_FS)", mount.target(), data);
    }
    if (libc.chdir(mount.home().toString()) != 0) {
      throw failure("chdir " + mount.home(), mount.target(), data);
    }
    try {
      if (libc.mount("overlay", mount.target().toString(), "overlay", 0, data) != 0) {
        throw failure("mount overlay", mount.target(), data);
      }
    } finally {
      libc.chdir(processCwd);
    }
    log.debug("mounted overlay on {} with {}", mount.target(), data);
  }

  @Override
  public void unmount(Path target) throws IOException {
    int errno = Umount.umount2(target, Umount.MNT_DETACH);
    if (errno == 0 || errno == Errno.EINVAL || errno == Errno.ENOENT) {
      return; // unmounted, or not mounted (any more)
    }
    throw new FileSystemException(target.toString(), null, "umount2: " + Errno.describe(errno));
  }

  @Override
  public MountInfo mountInfo() throws IOException {
    return MountInfo.read();
  }

  private static IOException failure(String call, Path target, String data) {
    return new FileSystemException(
        target.toString(), null, call + ": " + Errno.describe(Errno.last()) + ", options " + data);
  }
}
