package io.cvmfsthin.thinimage.image;

import io.cvmfsthin.thinimage.reference.Digest;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A content descriptor: what a manifest or index says about a blob or a manifest.
 *
 * @param mediaType the blob's media type
 * @param digest its digest
 * @param sizeBytes its size
 * @param platform for index entries, the platform; else {@code null}
 * @param urls foreign-layer URLs, usually empty
 * @param annotations annotations, sorted by key
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long sizeBytes,
    Platform platform,
    List<String> urls,
    SortedMap<String, String> annotations) {
  public Descriptor {
    if (mediaType == null || mediaType.isEmpty()) {
      throw new IllegalArgumentException("descriptor without mediaType");
    }
    if (digest == null) {
      throw new IllegalArgumentException("descriptor without digest");
    }
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("descriptor size " + sizeBytes + " is negative");
    }
    urls = urls == null ? List.of() : List.copyOf(urls);
    annotations =
        annotations == null
            ? new TreeMap<>()
            : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(annotations));
  }

  /** A plain descriptor: no platform, URLs or annotations. */
  public static Descriptor of(String mediaType, Digest digest, long sizeBytes) {
    return new Descriptor(mediaType, digest, sizeBytes, null, List.of(), new TreeMap<>());
  }

  public Map<String, String> annotationsView() {
    return annotations;
  }
}
