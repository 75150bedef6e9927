package io.cvmfsthin.plugin.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body as a blocking {@link InputStream}, fed chunk by chunk from the event loop and read
 * by a worker. Backpressure: when more than {@link #HIGH_WATER_BYTES} wait unread, the channel
 * stops reading from the socket; below {@link #LOW_WATER_BYTES} it reads again. So a layer is never
 * held in memory, however fast dockerd sends it.
 */
final class BodyStream extends InputStream {
  static final int HIGH_WATER_BYTES = 4 << 20;
  static final int LOW_WATER_BYTES = 1 << 20;

  private final Channel channel;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // guarded by lock: the unread chunks, their byte count, the end/failure state, pause flag
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean ended;
  private IOException failure;
  private boolean paused;
  private boolean closed;
  private long totalBytes;

  BodyStream(Channel channel) {
    this.channel = channel;
  }

  /** Event loop: one more chunk (this stream takes over the reference). */
  void offer(ByteBuf chunk) {
    lock.lock();
    try {
      totalBytes += chunk.readableBytes();
      if (closed || failure != null) {
        chunk.release(); // the reader is gone: discard, but keep counting until the end
        changed.signalAll();
        return;
      }
      queue.add(chunk);
      queuedBytes += chunk.readableBytes();
      if (!paused && queuedBytes >= HIGH_WATER_BYTES) {
        paused = true;
        channel.config().setAutoRead(false);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Event loop: the last chunk has been offered. */
  void end() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The connection broke: readers fail with {@code cause}. */
  void abort(IOException cause) {
    lock.lock();
    try {
      if (!ended && failure == null) {
        failure = cause;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Bytes received so far. */
  long totalBytes() {
    lock.lock();
    try {
      return totalBytes;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    lock.lock();
    try {
      while (true) {
        ByteBuf head = queue.peek();
        if (head != null && !head.isReadable()) {
          queue.poll().release();
          continue;
        }
        if (head != null) {
          int n = Math.min(len, head.readableBytes());
          head.readBytes(buf, off, n);
          queuedBytes -= n;
          if (!head.isReadable()) {
            queue.poll().release();
          }
          resumeIfDrained();
          return n;
        }
        if (failure != null) {
          throw new IOException("request body broken off after " + totalBytes + " bytes", failure);
        }
        if (ended) {
          return -1;
        }
        if (closed) {
          throw new IOException("body stream closed");
        }
        try {
          changed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the request body");
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Discards the rest of the body and waits for its end: dockerd must finish sending before it gets
   * an answer (spec §4.13). Works after {@link #close()} too.
   */
  void drain() throws IOException {
    lock.lock();
    try {
      closed = true;
      while (true) {
        ByteBuf b;
        while ((b = queue.poll()) != null) {
          b.release();
        }
        queuedBytes = 0;
        resumeIfDrained();
        if (ended) {
          return;
        }
        if (failure != null) {
          throw new IOException("request body broken off after " + totalBytes + " bytes", failure);
        }
        try {
          changed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while draining the request body");
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      ByteBuf b;
      while ((b = queue.poll()) != null) {
        b.release();
      }
      queuedBytes = 0;
      resumeIfDrained();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void resumeIfDrained() {
    if (paused && queuedBytes <= LOW_WATER_BYTES) {
      paused = false;
      channel
          .eventLoop()
          .execute(
              () -> {
                channel.config().setAutoRead(true);
                channel.read();
              });
    }
  }
}
