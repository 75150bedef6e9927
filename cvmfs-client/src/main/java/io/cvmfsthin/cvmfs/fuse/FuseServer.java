package io.cvmfsthin.cvmfs.fuse;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * fuse edge: one FUSE transport serving a {@link RepositoryFiles} to the kernel: libfuse 2 through
 * jnr-fuse ({@link CvmfsFileSystem}) or the kernel protocol on {@code /dev/fuse} directly ({@code
 * fuse.kernel.KernelFileSystem}). {@link RepositoryMount} chooses by {@link FuseTransport}.
 */
public interface FuseServer {
  /** Completes when the kernel has sent INIT and been answered: the file system is mounted. */
  CompletableFuture<Void> initialized();

  /**
   * Mounts at {@code mountPoint} and answers requests on named worker threads {@code
   * <threadName>-<i>} until unmounted; 0, or non-zero if the mount failed.
   *
   * @param libfuseArgs the libfuse command line (the options the kernel transport reads as well)
   */
  int serve(Path mountPoint, List<String> libfuseArgs, String threadName)
      throws InterruptedException;
}
