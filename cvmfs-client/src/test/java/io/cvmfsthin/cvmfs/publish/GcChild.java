package io.cvmfsthin.cvmfs.publish;

import java.nio.file.Path;

/**
 * A child JVM that collects garbage keeping one revision, for the crash test: {@code storage keys
 * fqrn haltAfter}. With {@code haltAfter} n > 0 it halts (as {@code kill -9} would: no finally
 * block runs) just before its n-th deletion.
 */
public final class GcChild {
  private GcChild() {}

  public static void main(String[] args) throws Exception {
    RepositoryPublisher p = RepositoryPublisher.open(Path.of(args[0]), Path.of(args[1]), args[2]);
    int haltAfter = Integer.parseInt(args[3]);
    int[] deletions = new int[1];
    GarbageCollection.Result r =
        p.collectGarbage(
            GarbageCollection.Retention.revisions(1),
            false,
            GarbageCollection.Listener.NONE,
            f -> {
              if (haltAfter > 0 && ++deletions[0] == haltAfter) {
                Runtime.getRuntime().halt(137);
              }
            });
    System.out.println("deleted " + r.swept().deletedObjects());
  }
}
