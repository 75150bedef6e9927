package io.cvmfsthin.cvmfs.fuse.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * fuse.kernel edge: what the kernel knows of one mount that a restarted worker must know too, as an
 * append-only file in the supervisor's directory: the node ids given out (id, path, content) and
 * dropped, the passthrough backing ids registered per node, the INIT flags, and a generation number
 * counting the workers (open handles carry it, so a successor tells its predecessor's handles
 * apart). Each record is written with one write(2) before the kernel is answered, so a {@code kill
 * -9} loses none the kernel has seen; the page cache keeps them (the kernel's FUSE connection does
 * not outlive a reboot either, so nothing is forced to disk).
 *
 * <p>Format: records {@code [type:1][payload length:4][payload]}, big-endian; {@code G} generation
 * (8), {@code I} INIT flags (8), {@code N} node id (8) + path and content (each a length (4) and
 * UTF-8), {@code D} dropped node id (8), {@code B} node id (8) + backing id (4; 0: closed). A torn
 * last record is ignored. {@link #resume} rewrites the live records compactly under a temporary
 * name and renames it into place.
 */
final class NodeJournal implements AutoCloseable {
  /** No file: a mount without a supervisor. */
  static final NodeJournal NONE = new NodeJournal(null, new State(1, -1, Map.of(), Map.of()));

  /**
   * What a predecessor left.
   *
   * @param generation this worker's generation (the predecessor's plus one)
   * @param initFlags the flags INIT negotiated, or -1 if INIT was never answered
   * @param nodes live node ids and what they name
   * @param backings node id to registered backing id
   */
  record State(
      long generation,
      long initFlags,
      Map<Long, NodeTable.Key> nodes,
      Map<Long, Integer> backings) {}

  private final FileChannel out; // null for NONE; appends are guarded by this
  private final State state;

  private NodeJournal(FileChannel out, State state) {
    this.out = out;
    this.state = state;
  }

  /** A new, empty journal at {@code file} (a predecessor's is discarded): generation 1. */
  static NodeJournal create(Path file) throws IOException {
    Path tmp = write(file, new State(1, -1, Map.of(), Map.of()));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return open(file, new State(1, -1, Map.of(), Map.of()));
  }

  /** The journal a predecessor left at {@code file}, compacted, for the next generation. */
  static NodeJournal resume(Path file) throws IOException {
    State old = read(file);
    State next = new State(old.generation() + 1, old.initFlags(), old.nodes(), old.backings());
    Path tmp = write(file, next);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return open(file, next);
  }

  State state() {
    return state;
  }

  void node(long id, NodeTable.Key key) {
    byte[] p = key.path().getBytes(StandardCharsets.UTF_8);
    byte[] c = key.content().getBytes(StandardCharsets.UTF_8);
    append(
        (byte) 'N',
        ByteBuffer.allocate(16 + p.length + c.length)
            .putLong(id)
            .putInt(p.length)
            .put(p)
            .putInt(c.length)
            .put(c));
  }

  void dropped(long id) {
    append((byte) 'D', ByteBuffer.allocate(8).putLong(id));
  }

  void backing(long nodeid, int backingId) {
    append((byte) 'B', ByteBuffer.allocate(12).putLong(nodeid).putInt(backingId));
  }

  void initialized(long flags) {
    append((byte) 'I', ByteBuffer.allocate(8).putLong(flags));
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }

  private static NodeJournal open(Path file, State state) throws IOException {
    return new NodeJournal(
        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND), state);
  }

  private void append(byte type, ByteBuffer payload) {
    if (out == null) {
      return;
    }
    payload.flip();
    ByteBuffer record = ByteBuffer.allocate(5 + payload.remaining());
    record.put(type).putInt(payload.remaining()).put(payload).flip();
    synchronized (this) {
      try {
        while (record.hasRemaining()) {
          out.write(record);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("writing the FUSE node journal failed", e);
      }
    }
  }

  private static Path write(Path file, State s) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), ".nodes-", "");
    try (NodeJournal j = open(tmp, s)) {
      j.append((byte) 'G', ByteBuffer.allocate(8).putLong(s.generation()));
      if (s.initFlags() >= 0) {
        j.initialized(s.initFlags());
      }
      s.nodes().forEach(j::node);
      s.backings().forEach(j::backing);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  /** The live state recorded in {@code file}. */
  static State read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    long generation = 0;
    long init = -1;
    Map<Long, NodeTable.Key> nodes = new HashMap<>();
    Map<Long, Integer> backings = new HashMap<>();
    while (b.remaining() >= 5) {
      byte type = b.get();
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        break; // torn by a crash mid-write
      }
      ByteBuffer p = b.slice(b.position(), len);
      b.position(b.position() + len);
      switch (type) {
        case 'G' -> generation = p.getLong();
        case 'I' -> init = p.getLong();
        case 'N' -> {
          long id = p.getLong();
          String path = string(p);
          nodes.put(id, new NodeTable.Key(path, string(p)));
        }
        case 'D' -> {
          long id = p.getLong();
          nodes.remove(id);
          backings.remove(id);
        }
        case 'B' -> {
          long id = p.getLong();
          int backing = p.getInt();
          if (backing > 0) {
            backings.put(id, backing);
          } else {
            backings.remove(id);
          }
        }
        default -> throw new IOException(file + ": unknown record type " + type);
      }
    }
    return new State(generation, init, nodes, backings);
  }

  private static String string(ByteBuffer p) {
    byte[] s = new byte[p.getInt()];
    p.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
