package io.cvmfsthin.thinimage.image;

import java.util.List;

/**
 * A Docker manifest list or an OCI image index: one manifest per platform.
 *
 * @param mediaType {@link MediaTypes#DOCKER_MANIFEST_LIST} or {@link MediaTypes#OCI_INDEX}
 * @param manifests the entries, in document order
 */
public record ImageIndex(String mediaType, List<Descriptor> manifests) implements ImageDocument {
  public ImageIndex {
    manifests = List.copyOf(manifests);
  }
}
