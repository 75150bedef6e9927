package io.cvmfsthin.driver;

import io.cvmfsthin.cvmfs.linux.MountInfo;
import io.cvmfsthin.driver.archive.DeviceNodes;
import io.cvmfsthin.driver.archive.FileMetadata;
import io.cvmfsthin.driver.archive.Symlinks;
import io.cvmfsthin.driver.archive.Xattrs;
import io.cvmfsthin.driver.overlay.KernelFacts;
import io.cvmfsthin.driver.overlay.Mounter;
import io.cvmfsthin.driver.overlay.OverlayMount;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory fakes of the driver's {@link Host} edge, for unit tests that run as any user: mounts
 * are entries in a table (nothing is mounted; the target must exist, as for mount(2)), xattrs,
 * owners and device numbers live in maps, device nodes are empty files, symlinks are the JDK's.
 */
final class MemoryHost {
  final MemoryMounter mounter = new MemoryMounter();
  final MemoryXattrs xattrs = new MemoryXattrs();
  final MemoryDeviceNodes deviceNodes = new MemoryDeviceNodes();
  final MemoryFileMetadata fileMetadata = new MemoryFileMetadata();
  final MemoryKernel kernel = new MemoryKernel();

  Host host() {
    return new Host(mounter, xattrs, deviceNodes, fileMetadata, new JdkSymlinks(), kernel);
  }

  /** Mounts as a table; a failure can be armed for the next mount. */
  static final class MemoryMounter implements Mounter {
    // guarded by this: mount target (real path) -> the mount, in mount order
    private final Map<Path, OverlayMount> mounted = new LinkedHashMap<>();
    final List<OverlayMount> mounts = new ArrayList<>(); // every successful mount(2)
    final List<Path> unmounts = new ArrayList<>(); // every umount2(2)
    IOException failNextMount;

    @Override
    public synchronized void mount(OverlayMount mount) throws IOException {
      if (!Files.isDirectory(mount.target())) {
        throw new NoSuchFileException(mount.target().toString(), null, "mount: no such directory");
      }
      if (failNextMount != null) {
        IOException e = failNextMount;
        failNextMount = null;
        throw e;
      }
      mounted.put(mount.target().toRealPath(), mount);
      mounts.add(mount);
    }

    @Override
    public synchronized void unmount(Path target) throws IOException {
      unmounts.add(target);
      mounted.remove(target.toRealPath());
    }

    @Override
    public synchronized MountInfo mountInfo() {
      return new MountInfo(
          mounted.keySet().stream()
              .map(p -> new MountInfo.Entry(p, "overlay", "overlay"))
              .toList());
    }

    synchronized boolean isMounted(Path target) throws IOException {
      return Files.exists(target) && mounted.containsKey(target.toRealPath());
    }

    synchronized OverlayMount at(Path target) throws IOException {
      return mounted.get(target.toRealPath());
    }
  }

  static final class MemoryXattrs implements Xattrs {
    private final Map<Path, Map<String, byte[]>> values = new ConcurrentHashMap<>();

    @Override
    public void set(Path path, String name, byte[] value) throws IOException {
      if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(path.toString());
      }
      values.computeIfAbsent(path, p -> new ConcurrentHashMap<>()).put(name, value.clone());
    }

    @Override
    public Optional<byte[]> get(Path path, String name) {
      return Optional.ofNullable(values.getOrDefault(path, Map.of()).get(name));
    }

    @Override
    public List<String> list(Path path) {
      return List.copyOf(values.getOrDefault(path, Map.of()).keySet());
    }
  }

  /** Device nodes as empty files, their numbers remembered ("c 1,3", "b 8,0", "p"). */
  static final class MemoryDeviceNodes implements DeviceNodes {
    final Map<Path, String> nodes = new ConcurrentHashMap<>();

    @Override
    public void characterDevice(Path path, int permissions, int major, int minor)
        throws IOException {
      Files.createFile(path);
      nodes.put(path, "c " + major + "," + minor);
    }

    @Override
    public void blockDevice(Path path, int permissions, int major, int minor) throws IOException {
      Files.createFile(path);
      nodes.put(path, "b " + major + "," + minor);
    }

    @Override
    public void fifo(Path path, int permissions) throws IOException {
      Files.createFile(path);
      nodes.put(path, "p");
    }
  }

  /** Owners remembered; modes and times set through the JDK (the test's user owns the files). */
  static final class MemoryFileMetadata implements FileMetadata {
    final Map<Path, String> owners = new ConcurrentHashMap<>();

    @Override
    public void owner(Path path, int uid, int gid) {
      owners.put(path, uid + ":" + gid);
    }

    @Override
    public void mode(Path path, int mode) throws IOException {
      Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
      PosixFilePermission[] order = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
      for (int i = 0; i < 9; i++) {
        if ((mode & (0400 >> i)) != 0) {
          perms.add(order[i]);
        }
      }
      perms.add(PosixFilePermission.OWNER_WRITE); // keep the tree removable by the test
      perms.add(PosixFilePermission.OWNER_READ);
      if (Files.isDirectory(path)) {
        perms.add(PosixFilePermission.OWNER_EXECUTE);
      }
      Files.setPosixFilePermissions(path, perms);
    }

    @Override
    public void times(Path path, FileTime accessed, FileTime modified) throws IOException {
      if (!Files.isSymbolicLink(path)) {
        Files.setLastModifiedTime(path, modified);
      }
    }
  }

  static final class JdkSymlinks implements Symlinks {
    @Override
    public void create(Path link, String target) throws IOException {
      Files.createSymbolicLink(link, Path.of(target));
    }

    @Override
    public String read(Path link) throws IOException {
      return Files.readSymbolicLink(link).toString();
    }
  }

  static final class MemoryKernel implements KernelFacts {
    boolean overlay = true;
    boolean overlayIndex = false;
    String fileSystemType = "ext4";

    @Override
    public boolean hasOverlay() {
      return overlay;
    }

    @Override
    public boolean overlayHasIndex() {
      return overlayIndex;
    }

    @Override
    public String fileSystemType(Path dir) throws IOException {
      if (!Files.isDirectory(dir)) {
        throw new FileSystemException(dir.toString(), null, "no such directory");
      }
      return fileSystemType;
    }
  }
}
