package io.cvmfsthin.driver.mount;

import io.cvmfsthin.driver.overlay.KernelFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link KernelFacts} from {@code /proc/filesystems}, {@code /sys/module} and the JDK. */
public final class LinuxKernelFacts implements KernelFacts {
  private static final Path FILESYSTEMS = Path.of("/proc/filesystems");
  private static final Path OVERLAY_INDEX = Path.of("/sys/module/overlay/parameters/index");

  @Override
  public boolean hasOverlay() throws IOException {
    return Files.readString(FILESYSTEMS).contains("\toverlay\n");
  }

  @Override
  public boolean overlayHasIndex() {
    return Files.exists(OVERLAY_INDEX);
  }

  @Override
  public String fileSystemType(Path dir) throws IOException {
    return Files.getFileStore(dir).type();
  }
}
