package io.cvmfsthin.driver.snapshot;

/**
 * A layer directory in a CVMFS repository, one lower dir of a thin or remote snapshot.
 *
 * @param fqrn the repository
 * @param path the layer directory relative to the repository root
 */
public record LayerLocation(String fqrn, String path) {
  /** {@code cvmfs://fqrn/path}, for messages and labels. */
  public String url() {
    return "cvmfs://" + fqrn + "/" + path;
  }
}
