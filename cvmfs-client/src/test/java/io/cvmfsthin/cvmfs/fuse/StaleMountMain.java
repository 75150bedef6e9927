package io.cvmfsthin.cvmfs.fuse;

import java.nio.file.Path;

/** Mounts the fixture in a separate JVM that the test then kills, leaving a dead FUSE mount. */
public final class StaleMountMain {
  private StaleMountMain() {}

  public static void main(String[] args) throws Exception {
    // args: url, cache dir, mount point
    RepositoryMount m =
        RepositoryMount.mount(
            FuseTests.fixtureSettings(FuseTests.FQRN, args[0], Path.of(args[1])).build(),
            Path.of(args[2]),
            MountOptions.PLAIN);
    System.out.println("MOUNTED " + m.mountPoint());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
