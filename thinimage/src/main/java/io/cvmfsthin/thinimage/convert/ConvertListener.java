package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.image.Descriptor;

/** Hears how a conversion goes, for a progress display. Called on the converting thread. */
public interface ConvertListener {
  ConvertListener NONE = new ConvertListener() {};

  /** A layer starts to download and publish. */
  default void layerStarted(int index, int count, Descriptor layer) {}

  /** Compressed bytes of the layer read so far (called often; throttle the display). */
  default void layerProgress(int index, long blobBytes, long totalBytes) {}

  /** A layer is done: published now, or skipped because it was there. */
  default void layerDone(int index, int count, Descriptor layer, boolean skipped) {}
}
