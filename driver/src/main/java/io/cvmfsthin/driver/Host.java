package io.cvmfsthin.driver;

import io.cvmfsthin.driver.archive.DeviceNodes;
import io.cvmfsthin.driver.archive.FileMetadata;
import io.cvmfsthin.driver.archive.Symlinks;
import io.cvmfsthin.driver.archive.Xattrs;
import io.cvmfsthin.driver.mount.LibcMounter;
import io.cvmfsthin.driver.mount.LinuxKernelFacts;
import io.cvmfsthin.driver.overlay.KernelFacts;
import io.cvmfsthin.driver.overlay.Mounter;
import io.cvmfsthin.driver.store.LibcDeviceNodes;
import io.cvmfsthin.driver.store.LibcFileMetadata;
import io.cvmfsthin.driver.store.LibcSymlinks;
import io.cvmfsthin.driver.store.LibcXattrs;

/**
 * The driver's edge to the machine it runs on, one small interface per syscall family: mounts and
 * the mount table, extended attributes, device nodes, owners/modes/times, exact symlinks, and
 * kernel facts. The plugin builds {@link #linux} once and passes it in; unit tests pass in-memory
 * fakes, so the driver's decisions run without root.
 */
public record Host(
    Mounter mounter,
    Xattrs xattrs,
    DeviceNodes deviceNodes,
    FileMetadata fileMetadata,
    Symlinks symlinks,
    KernelFacts kernel) {

  /** This Linux machine, through libc (mount(2) and friends need root). */
  public static Host linux() {
    return new Host(
        new LibcMounter(),
        new LibcXattrs(),
        new LibcDeviceNodes(),
        new LibcFileMetadata(),
        new LibcSymlinks(),
        new LinuxKernelFacts());
  }
}
