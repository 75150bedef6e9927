package io.cvmfsthin.driver.archive;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * overlay2's layer size: the sum of the sizes of all non-directories below a directory (symlinks
 * count their target length), each inode once.
 */
public final class DirectorySize {
  private DirectorySize() {}

  /** Size in bytes of {@code dir}'s content. */
  public static long of(Path dir) throws IOException {
    Set<Object> seen = new HashSet<>();
    long[] total = {0};
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            long size = attrs.size();
            if (!attrs.isDirectory() && size > 0 && seen.add(attrs.fileKey())) {
              total[0] += size;
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return total[0];
  }
}
