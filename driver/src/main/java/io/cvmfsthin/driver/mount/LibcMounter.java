package io.cvmfsthin.driver.mount;

import io.cvmfsthin.driver.overlay.MountInfo;
import io.cvmfsthin.driver.overlay.Mounter;
import io.cvmfsthin.driver.overlay.OverlayMount;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
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
  private static final int CLONE_FS = 0x00000200;
  private static final int MNT_DETACH = 2;
  private static final int EINVAL = 22;
  private static final int ENOENT = 2;

  /** The libc calls this class makes. */
  public interface Calls {
    @SaveError
    int mount(String source, String target, String fstype, long flags, String data);

    @SaveError
    int umount2(String target, int flags);

    @SaveError
    int unshare(int flags);

    @SaveError
    int chdir(String path);

    String strerror(int errnum);
  }

  private final Calls libc = LibraryLoader.create(Calls.class).load("c");
  private final String processCwd = Path.of("").toAbsolutePath().toString();

  @Override
  public void mount(OverlayMount mount) throws IOException {
    String data = mount.options();
    if (libc.unshare(CLONE_FS) != 0) {
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
    if (libc.umount2(target.toString(), MNT_DETACH) != 0) {
      int errno = Runtime.getRuntime(libc).getLastError();
      if (errno == EINVAL || errno == ENOENT) {
        return; // not mounted (any more)
      }
      throw new FileSystemException(
          target.toString(), null, "umount2: " + libc.strerror(errno) + " (errno " + errno + ")");
    }
  }

  @Override
  public MountInfo mountInfo() throws IOException {
    return MountInfo.parse(Files.readString(Path.of("/proc/self/mountinfo")));
  }

  private IOException failure(String call, Path target, String data) {
    int errno = Runtime.getRuntime(libc).getLastError();
    return new FileSystemException(
        target.toString(),
        null,
        call + ": " + libc.strerror(errno) + " (errno " + errno + "), options " + data);
  }
}
