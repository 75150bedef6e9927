package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.thinimage.convert.Bytes;
import io.cvmfsthin.thinimage.convert.ConvertListener;
import io.cvmfsthin.thinimage.image.Descriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress as plain log lines (not a terminal): one per layer event, one every 10 s inside. */
final class LogProgress implements ConvertListener {
  private static final Logger log = LoggerFactory.getLogger(LogProgress.class);
  private static final long EVERY_NANOS = 10_000_000_000L;
  private long lastNanos;

  @Override
  public void layerStarted(int index, int count, Descriptor layer) {
    lastNanos = System.nanoTime();
    log.info(
        "layer {}/{} {} ({})",
        index + 1,
        count,
        layer.digest().shortForm(),
        Bytes.human(layer.sizeBytes()));
  }

  @Override
  public void layerProgress(int index, long blobBytes, long totalBytes) {
    long now = System.nanoTime();
    if (now - lastNanos >= EVERY_NANOS) {
      lastNanos = now;
      log.info("layer {}: {} of {}", index + 1, Bytes.human(blobBytes), Bytes.human(totalBytes));
    }
  }

  @Override
  public void layerDone(int index, int count, Descriptor layer, boolean skipped) {
    log.info(
        "layer {}/{} {} {}",
        index + 1,
        count,
        layer.digest().shortForm(),
        skipped ? "already present, skipped" : "ingested (published with the image)");
  }
}
