package io.cvmfsthin.cvmfs.publish;

import java.time.Duration;
import java.util.List;

/**
 * What a garbage collection keeps, and what it found: the values of {@link
 * RepositoryPublisher#collectGarbage}.
 */
public final class GarbageCollection {
  private GarbageCollection() {}

  /**
   * Which revisions survive besides every named tag of the history database: the newest {@code
   * keepRevisions}, or those published less than {@code keepAge} ago (the current one always).
   */
  public record Retention(int keepRevisions, Duration keepAge) {
    public Retention {
      if ((keepRevisions > 0) == (keepAge != null)) {
        throw new IllegalArgumentException("keep either a number of revisions or an age");
      }
      if (keepAge != null && keepAge.isNegative()) {
        throw new IllegalArgumentException("the age to keep must not be negative: " + keepAge);
      }
    }

    public static Retention revisions(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("keep at least 1 revision, got " + n);
      }
      return new Retention(n, null);
    }

    public static Retention age(Duration age) {
      return new Retention(0, age);
    }
  }

  /**
   * The mark phase's result.
   *
   * @param revisions the retained revision numbers, newest first
   * @param tags the named tags kept (including trunk and trunk-previous)
   * @param catalogs distinct catalogs read
   * @param referencedObjects distinct objects referenced (catalogs included)
   * @param missing referenced objects that are not in {@code data/} (a damaged repository, or
   *     catalogs of old tags removed by hand); logged, never a reason to delete
   */
  public record Marked(
      List<Long> revisions, List<String> tags, int catalogs, int referencedObjects, int missing) {}

  /**
   * The sweep phase's result.
   *
   * @param scannedObjects files found under {@code data/XX/}
   * @param scannedBytes their sizes
   * @param deletedObjects unreferenced ones deleted (or that a dry run would delete)
   * @param deletedBytes their sizes
   * @param dryRun whether nothing was deleted
   */
  public record Swept(
      long scannedObjects,
      long scannedBytes,
      long deletedObjects,
      long deletedBytes,
      boolean dryRun) {}

  /**
   * The whole collection.
   *
   * @param reflogEntriesRemoved reflog rows dropped because their object was deleted (the reflog
   *     and the manifest's {@code Y} rewritten, same revision)
   */
  public record Result(Marked marked, Swept swept, int reflogEntriesRemoved) {}

  /** Told as each phase ends (for progress lines); called on the collecting thread. */
  public interface Listener {
    void marked(Marked marked);

    void swept(Swept swept);

    Listener NONE =
        new Listener() {
          @Override
          public void marked(Marked marked) {}

          @Override
          public void swept(Swept swept) {}
        };
  }
}
