package io.cvmfsthin.thinimage.image.json;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.reference.Digest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"mediaType", "size", "digest", "urls", "annotations", "platform"})
record DescriptorJson(
    @JsonProperty("mediaType") String mediaType,
    @JsonProperty("size") Long size,
    @JsonProperty("digest") String digest,
    @JsonProperty("urls") List<String> urls,
    @JsonProperty("annotations") Map<String, String> annotations,
    @JsonProperty("platform") PlatformJson platform) {

  /**
   * @param defaultMediaType used when the descriptor has none (never for layers and configs)
   */
  Descriptor toDescriptor(String where, String defaultMediaType) {
    String type = mediaType == null || mediaType.isEmpty() ? defaultMediaType : mediaType;
    if (type == null) {
      throw new IllegalArgumentException(where + ": mediaType missing");
    }
    if (size == null) {
      throw new IllegalArgumentException(where + ": size missing");
    }
    try {
      return new Descriptor(
          type,
          Digest.parse(digest),
          size,
          platform == null ? null : platform.toPlatform(),
          urls,
          annotations == null ? null : new TreeMap<>(annotations));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  static DescriptorJson of(Descriptor d) {
    return new DescriptorJson(
        d.mediaType(),
        d.sizeBytes(),
        d.digest().toString(),
        d.urls().isEmpty() ? null : d.urls(),
        d.annotations().isEmpty() ? null : d.annotations(),
        null);
  }
}
