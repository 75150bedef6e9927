package io.cvmfsthin.plugin;

import io.cvmfsthin.cvmfs.prefetch.ChainKey;
import io.cvmfsthin.cvmfs.prefetch.PrefetchList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The plugin's recorded prefetch lists (edge): {@code <state>/prefetch/<chain key>}, one file per
 * thin image in {@link PrefetchList}'s format, kept across plugin restarts. A list is written under
 * a temporary name ({@code .tmp-*}) in the same directory, synced, then renamed into place, so a
 * crash leaves the old list or the new one, never a part.
 */
final class PrefetchListStore {
  private final Path dir;

  PrefetchListStore(Path dir) {
    this.dir = dir;
  }

  /** The file of {@code chainKey}, whether it exists or not. */
  Path file(String chainKey) {
    if (!ChainKey.isKey(chainKey)) {
      throw new IllegalArgumentException("not a chain key: '" + chainKey + "'");
    }
    return dir.resolve(chainKey);
  }

  boolean exists(String chainKey) {
    return Files.exists(file(chainKey));
  }

  /**
   * Reads the list of {@code chainKey}, bounded as {@link PrefetchList#read} is.
   *
   * @throws java.nio.file.NoSuchFileException if there is none
   */
  PrefetchList.Read read(String chainKey) throws IOException {
    Path f = file(chainKey);
    try (InputStream in = Files.newInputStream(f)) {
      return PrefetchList.read(in, f.toString());
    }
  }

  /** Writes the list of {@code chainKey} atomically, replacing the one before. */
  void save(String chainKey, PrefetchList list) throws IOException {
    Path target = file(chainKey);
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".tmp-", "");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(ch)) {
        list.writeTo(out);
        out.flush();
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
