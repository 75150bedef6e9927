package io.cvmfsthin.thinimage.registry;

import java.io.IOException;
import java.io.InputStream;

/** A blob to upload; opened again for each attempt, so a retry sends it from the start. */
@FunctionalInterface
public interface BlobSource {
  InputStream open() throws IOException;

  static BlobSource of(byte[] bytes) {
    return () -> new java.io.ByteArrayInputStream(bytes);
  }
}
