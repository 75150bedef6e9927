package io.cvmfsthin.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads /proc/self/mountinfo; unmounts what a test left below its own directory. */
public final class Mounts {
  private Mounts() {}

  /** Mount points at or below {@code dir}, deepest first. */
  public static List<Path> below(Path dir) {
    List<Path> found = new ArrayList<>();
    String prefix = dir.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        String mountPoint = f[4].replace("\\040", " ").replace("\\072", ":");
        if (mountPoint.equals(prefix) || mountPoint.startsWith(prefix + "/")) {
          found.add(Path.of(mountPoint));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/mountinfo", e);
    }
    found.sort(Comparator.comparingInt((Path p) -> p.getNameCount()).reversed());
    return found;
  }

  /** Lazily unmounts everything at or below {@code dir} (test clean-up only). */
  public static void unmountAllBelow(Path dir) {
    for (int round = 0; round < 5; round++) {
      List<Path> mounts = below(dir);
      if (mounts.isEmpty()) {
        return;
      }
      for (Path m : mounts) {
        Cmd.run("umount", "-l", m.toString());
      }
    }
  }
}
