package io.cvmfsthin.driver.snapshot;

import io.cvmfsthin.thinimage.thin.CvmfsUrl;
import java.io.IOException;
import java.util.Optional;

/**
 * Finds an unmodified image layer, by its digest, already unpacked in a CVMFS repository (as
 * unpacked.cern.ch holds them), so that Prepare can answer with a remote snapshot instead of
 * letting containerd download and unpack the layer.
 */
public interface RemoteLayers {
  /** Finds nothing: every layer is downloaded. */
  RemoteLayers NONE = digest -> Optional.empty();

  /**
   * @param layerDigest the compressed layer's digest, {@code sha256:<hex>}
   * @return the layer directory, if a configured repository holds it
   * @throws IOException when a repository could not be asked (the caller falls back to download)
   */
  Optional<CvmfsUrl> find(String layerDigest) throws IOException;
}
