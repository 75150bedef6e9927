package io.cvmfsthin.thinimage.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cvmfsthin.thinimage.reference.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The per-layer {@code .metadata} files (thin-image.md §4.2, §4.6): DUCC's {@code layers.json} and
 * {@code origin.json}, and our {@code layer.json}. Deterministic bytes (2-space indent, fixed key
 * order) so that republishing the same layer changes nothing.
 */
public final class LayerMetadata {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LayerMetadata() {}

  /** What is known about a layer once it has been streamed and verified. */
  public record Facts(
      Digest digest,
      Digest diffId,
      String mediaType,
      long compressedBytes,
      long sizeBytes,
      String created,
      String source) {}

  /** DUCC's {@code layers.json}: one object with id, created, digests and diff size. */
  public static byte[] layersJson(Facts f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", f.diffId().hex());
    m.put("created", f.created() == null ? "" : f.created());
    m.put("compressed-diff-digest", f.digest().toString());
    m.put("diff-digest", f.diffId().toString());
    m.put("diff-size", f.sizeBytes());
    return write(List.of(m));
  }

  /** Ours: the layer's identity and provenance, {@code "key": "compressed-digest"}. */
  public static byte[] layerJson(Facts f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", "compressed-digest");
    m.put("digest", f.digest().toString());
    m.put("diff_id", f.diffId().toString());
    m.put("media_type", f.mediaType());
    m.put("compressed_size", f.compressedBytes());
    m.put("size", f.sizeBytes());
    m.put("source", f.source());
    m.put("writer", "cvmfs-thin convert");
    return write(m);
  }

  /** DUCC's {@code origin.json}, {@code {"origin": [config digests of images using the layer]}}. */
  public static byte[] originJson(List<Digest> configs) {
    TreeSet<String> sorted = new TreeSet<>();
    configs.forEach(d -> sorted.add(d.toString()));
    return write(Map.of("origin", new ArrayList<>(sorted)));
  }

  /**
   * The config digests an existing {@code origin.json} lists; unreadable content gives an empty
   * list (the file is informational; it is rewritten whole).
   */
  public static List<Digest> parseOrigin(byte[] json) {
    List<Digest> out = new ArrayList<>();
    try {
      JsonNode origin = JSON.readTree(json).get("origin");
      if (origin != null && origin.isArray()) {
        for (JsonNode n : origin) {
          try {
            out.add(Digest.parse(n.asText()));
          } catch (IllegalArgumentException e) {
            // DUCC writes only config digests; skip anything else
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    return out;
  }

  private static byte[] write(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write layer metadata", e);
    }
  }
}
