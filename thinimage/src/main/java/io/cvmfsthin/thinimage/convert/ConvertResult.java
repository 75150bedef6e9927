package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import java.time.Duration;
import java.util.Locale;

/**
 * What a conversion did.
 *
 * @param target where the thin image went (null if not pushed)
 * @param thinManifest the thin image's manifest digest
 * @param thinJson the descriptor's bytes
 * @param layersNew layers published by this run
 * @param layersSkipped layers already in the repository
 * @param files tar entries of the new layers
 * @param sourceBytes compressed bytes of the new layers as downloaded
 * @param uncompressedBytes uncompressed tar bytes of the new layers
 * @param storedBytes bytes the repository's object store grew by
 * @param revisionBefore the repository revision the conversion built on
 * @param revisionAfter the one it made, one more (a conversion is one revision); equal to {@code
 *     revisionBefore} when nothing was new
 * @param elapsed wall time
 */
public record ConvertResult(
    ImageReference target,
    Digest thinManifest,
    byte[] thinJson,
    int layersNew,
    int layersSkipped,
    long files,
    long sourceBytes,
    long uncompressedBytes,
    long storedBytes,
    long revisionBefore,
    long revisionAfter,
    Duration elapsed) {

  /** uncompressed bytes / stored bytes of the new layers; 0 when nothing was stored. */
  public double dedupRatio() {
    return storedBytes <= 0 ? 0 : (double) uncompressedBytes / storedBytes;
  }

  /** One line for the log and the terminal. */
  public String summaryLine() {
    double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
    return String.format(
        Locale.ROOT,
        "converted: layers %d new, %d skipped; %d files; source %s (%s uncompressed), stored %s"
            + " (ratio %s); %s; %.1f s, %s/s; thin image %s%s",
        layersNew,
        layersSkipped,
        files,
        Bytes.human(sourceBytes),
        Bytes.human(uncompressedBytes),
        Bytes.human(storedBytes),
        storedBytes > 0 ? String.format(Locale.ROOT, "%.2f", dedupRatio()) : "n/a",
        revisionAfter == revisionBefore
            ? "revision " + revisionBefore + ", no new revision"
            : "revision " + revisionBefore + " -> " + revisionAfter,
        seconds,
        Bytes.human((long) (uncompressedBytes / seconds)),
        thinManifest,
        target == null ? " (not pushed)" : " -> " + target);
  }
}
