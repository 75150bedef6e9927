package io.cvmfsthin.driver.overlay;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What the driver asks the running kernel before it uses overlay: whether overlay is there, whether
 * overlay has the index feature (then mounts carry {@code index=off}, as overlay2 and containerd
 * do), and which file system a directory is on.
 */
public interface KernelFacts {
  /** Whether the kernel supports overlay ({@code /proc/filesystems}). */
  boolean hasOverlay() throws IOException;

  /** Whether overlay has the index feature ({@code /sys/module/overlay/parameters/index}). */
  boolean overlayHasIndex();

  /** The type of the file system holding {@code dir}, e.g. {@code ext4}, {@code xfs}. */
  String fileSystemType(Path dir) throws IOException;
}
