package io.cvmfsthin.plugin.cli;

import io.cvmfsthin.thinimage.convert.Bytes;
import io.cvmfsthin.thinimage.convert.ConvertListener;
import io.cvmfsthin.thinimage.image.Descriptor;
import java.io.PrintWriter;
import java.util.Locale;

/** Progress on a terminal: one self-updating line per layer with bytes, rate and ETA. */
final class TerminalProgress implements ConvertListener {
  private static final long REDRAW_NANOS = 200_000_000L;
  private final PrintWriter out;
  private long startNanos;
  private long lastDrawNanos;
  private String label = "";

  TerminalProgress(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void layerStarted(int index, int count, Descriptor layer) {
    startNanos = System.nanoTime();
    lastDrawNanos = 0;
    label = String.format(Locale.ROOT, "[%d/%d] %s", index + 1, count, layer.digest().shortForm());
    draw(0, layer.sizeBytes(), true);
  }

  @Override
  public void layerProgress(int index, long blobBytes, long totalBytes) {
    draw(blobBytes, totalBytes, false);
  }

  private void draw(long done, long total, boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastDrawNanos < REDRAW_NANOS) {
      return;
    }
    lastDrawNanos = now;
    double seconds = Math.max(now - startNanos, 1) / 1e9;
    double rate = done / seconds;
    String eta =
        rate > 0 && total > done
            ? String.format(Locale.ROOT, "ETA %ds", (long) ((total - done) / rate))
            : "";
    out.printf(
        Locale.ROOT,
        "\r%s  %s / %s  %s/s  %s\u001b[K",
        label,
        Bytes.human(done),
        Bytes.human(total),
        Bytes.human((long) rate),
        eta);
    out.flush();
  }

  @Override
  public void layerDone(int index, int count, Descriptor layer, boolean skipped) {
    out.printf(
        Locale.ROOT,
        "\r%s  %s\u001b[K%n",
        label,
        skipped ? "already present" : "ingested " + Bytes.human(layer.sizeBytes()));
    out.flush();
  }
}
