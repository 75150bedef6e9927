package io.cvmfsthin.driver;

import java.nio.file.NoSuchFileException;

/** A call named a layer that does not exist. */
public class LayerNotFoundException extends NoSuchFileException {
  /** For layer {@code id}. */
  public LayerNotFoundException(String id) {
    super("layer " + id + " does not exist");
  }
}
