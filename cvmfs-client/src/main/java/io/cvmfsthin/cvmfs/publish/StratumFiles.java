package io.cvmfsthin.cvmfs.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Edge: the files at the top of a stratum ({@code .cvmfspublished}, {@code .cvmfswhitelist}, {@code
 * .cvmfsreflog}, {@code .cvmfs_master_replica}) and the directory skeleton. Every replacement is
 * written under a temporary name, forced to disk and renamed over the old file.
 */
final class StratumFiles {
  static final String MANIFEST = ".cvmfspublished";
  static final String WHITELIST = ".cvmfswhitelist";
  static final String REFLOG = ".cvmfsreflog";
  static final String MASTER_REPLICA = ".cvmfs_master_replica";
  static final byte[] MASTER_REPLICA_TEXT =
      "This file marks the repository as replicatable to stratum 1 servers\n"
          .getBytes(StandardCharsets.US_ASCII);

  /** Objects and top-level files are world-readable (rw-r--r--), for any web server's user. */
  static final FileAttribute<Set<PosixFilePermission>> READABLE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

  private StratumFiles() {}

  /** {@code data/00} … {@code data/ff} and {@code data/txn}. */
  static void createSkeleton(Path repository) throws IOException {
    Path data = Files.createDirectories(repository.resolve("data"));
    for (int i = 0; i < 256; i++) {
      Files.createDirectory(data.resolve(String.format("%02x", i)));
    }
    Files.createDirectory(data.resolve("txn"));
  }

  /** Writes {@code bytes} to {@code target} atomically. */
  static void replace(Path target, byte[] bytes) throws IOException {
    Path tmp =
        Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp", READABLE);
    try {
      Files.write(tmp, bytes);
      commit(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Forces {@code staged} and renames it over {@code target}; then forces the directory. */
  static void commit(Path staged, Path target) throws IOException {
    Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-r--r--"));
    ObjectStore.force(staged);
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    ObjectStore.force(target.getParent());
  }

  /** Removes what a killed publish left in {@code data/txn}. */
  static void cleanTxn(Path repository) throws IOException {
    Path txn = repository.resolve("data").resolve("txn");
    Files.createDirectories(txn);
    try (Stream<Path> s = Files.list(txn)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        deleteRecursively(p);
      }
    }
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(q);
      }
    }
  }
}
