package io.cvmfsthin.cvmfs.publish;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Edge: serializes the writers of one repository: an in-process lock per lock file (an OS file lock
 * is held per process, so threads of one JVM must queue here first) and then {@code
 * FileChannel.lock} on {@code <fqrn>/.cvmfs_publish.lock} against other processes. The process-wide
 * map is the one deliberate static: it stands for the process's OS lock table and holds only locks.
 * Released by {@link #close()}, by the thread that acquired it.
 */
final class PublishLock implements AutoCloseable {
  static final String FILE_NAME = ".cvmfs_publish.lock";

  /** guards: nothing but itself; one lock per canonical lock-file path. */
  private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private PublishLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /** Blocks until this process and thread hold the repository's publish lock. */
  static PublishLock acquire(Path repository) throws IOException {
    Path file = repository.resolve(FILE_NAME).toAbsolutePath().normalize();
    ReentrantLock lock = IN_PROCESS.computeIfAbsent(file, f -> new ReentrantLock(true));
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the publish lock " + file);
    }
    FileChannel ch = null;
    try {
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
      FileLock fl = ch.lock();
      return new PublishLock(lock, ch, fl);
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        ch.close();
      }
      lock.unlock();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      fileLock.release();
      channel.close();
    } finally {
      threadLock.unlock();
    }
  }
}
