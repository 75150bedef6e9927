package io.cvmfsthin.thinimage.image.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.image.ImageConfig;
import io.cvmfsthin.thinimage.image.ImageDocument;
import io.cvmfsthin.thinimage.image.ImageFormatException;
import io.cvmfsthin.thinimage.image.ImageIndex;
import io.cvmfsthin.thinimage.image.ImageManifest;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.reference.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads manifests, indexes and configs from their JSON, and writes the ones the converter makes.
 * Writing is deterministic: fixed key order, sorted maps, no whitespace, so the same input always
 * gives the same bytes and thus the same digest.
 */
public final class ImageJson {
  /** Manifests and configs larger than this are refused (registries cap manifests at 4 MiB). */
  public static final int MAX_DOCUMENT_BYTES = 8 << 20;

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private ImageJson() {}

  /**
   * Parses what a manifest GET returned.
   *
   * @param contentType the response's Content-Type, used when the document names no mediaType
   * @param where names the document in error messages (reference or file)
   * @throws ImageFormatException if it is malformed, schema 1 or of an unknown type
   */
  public static ImageDocument parseDocument(byte[] json, String contentType, String where)
      throws ImageFormatException {
    ManifestJson m = read(json, ManifestJson.class, where);
    String type = m.mediaType() != null && !m.mediaType().isEmpty() ? m.mediaType() : contentType;
    if (type != null && type.contains(";")) {
      type = type.substring(0, type.indexOf(';')).strip();
    }
    if (MediaTypes.DOCKER_MANIFEST_V1.equals(type)
        || MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(type)
        || Integer.valueOf(1).equals(m.schemaVersion())) {
      throw new ImageFormatException(
          where
              + ": Docker schema 1 manifests are not supported (push it again with a current"
              + " docker to get schema 2)");
    }
    if (!Integer.valueOf(2).equals(m.schemaVersion())) {
      throw new ImageFormatException(
          where + ": schemaVersion " + m.schemaVersion() + ", expected 2");
    }
    if (!MediaTypes.MANIFESTS.contains(type) && !MediaTypes.INDEXES.contains(type)) {
      // OCI documents may omit mediaType; a generic Content-Type says nothing either
      if (m.manifests() != null && m.layers() == null) {
        type = MediaTypes.OCI_INDEX;
      } else if (m.layers() != null && m.config() != null) {
        type = MediaTypes.OCI_MANIFEST;
      } else {
        throw new ImageFormatException(where + ": unknown manifest media type " + type);
      }
    }
    try {
      if (MediaTypes.INDEXES.contains(type)) {
        if (m.manifests() == null) {
          throw new IllegalArgumentException("index without manifests");
        }
        List<Descriptor> entries = new ArrayList<>();
        for (int i = 0; i < m.manifests().size(); i++) {
          entries.add(m.manifests().get(i).toDescriptor("manifests[" + i + "]", null));
        }
        return new ImageIndex(type, entries);
      }
      if (m.config() == null) {
        throw new IllegalArgumentException("manifest without config");
      }
      if (m.layers() == null) {
        throw new IllegalArgumentException("manifest without layers");
      }
      Descriptor config = m.config().toDescriptor("config", null);
      List<Descriptor> layers = new ArrayList<>();
      for (int i = 0; i < m.layers().size(); i++) {
        layers.add(m.layers().get(i).toDescriptor("layers[" + i + "]", null));
      }
      return new ImageManifest(type, config, layers);
    } catch (IllegalArgumentException e) {
      throw new ImageFormatException(where + ": " + e.getMessage(), e);
    }
  }

  /** Parses an image config; {@code rootfs.diff_ids} must be present. */
  public static ImageConfig parseConfig(byte[] json, String where) throws ImageFormatException {
    ConfigJson c = read(json, ConfigJson.class, where);
    if (c.rootfs() == null || c.rootfs().diffIds() == null) {
      throw new ImageFormatException(where + ": config without rootfs.diff_ids");
    }
    if (c.os() == null || c.architecture() == null) {
      throw new ImageFormatException(where + ": config without os or architecture");
    }
    List<Digest> diffIds = new ArrayList<>();
    try {
      for (String d : c.rootfs().diffIds()) {
        diffIds.add(Digest.parse(d));
      }
      return new ImageConfig(
          c.created(),
          c.os(),
          c.architecture(),
          c.variant(),
          c.config() == null ? null : c.config().toConfig(),
          diffIds);
    } catch (IllegalArgumentException e) {
      throw new ImageFormatException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes an image config with one history entry.
   *
   * @param createdBy the history entry's {@code created_by}
   */
  public static byte[] writeConfig(ImageConfig config, String createdBy) {
    List<String> diffIds = config.diffIds().stream().map(Digest::toString).toList();
    ConfigJson json =
        new ConfigJson(
            config.architecture(),
            config.variant() == null || config.variant().isEmpty() ? null : config.variant(),
            config.os(),
            config.created(),
            ContainerConfigJson.of(config.config()),
            new ConfigJson.RootfsJson("layers", diffIds),
            List.of(new ConfigJson.HistoryJson(config.created(), createdBy, null, null)));
    return write(json);
  }

  /** Writes an image manifest (schema 2 or OCI, as its media type says). */
  public static byte[] writeManifest(ImageManifest manifest) {
    ManifestJson json =
        new ManifestJson(
            2,
            manifest.mediaType(),
            DescriptorJson.of(manifest.config()),
            manifest.layers().stream().map(DescriptorJson::of).toList(),
            null,
            null);
    return write(json);
  }

  private static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> T read(byte[] json, Class<T> type, String where) throws ImageFormatException {
    if (json.length > MAX_DOCUMENT_BYTES) {
      throw new ImageFormatException(
          where + ": " + json.length + " bytes, more than " + MAX_DOCUMENT_BYTES + " allowed");
    }
    try {
      T value = MAPPER.readValue(json, type);
      if (value == null) {
        throw new ImageFormatException(where + ": empty JSON document");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new ImageFormatException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ImageFormatException(where + ": not readable: " + e.getMessage(), e);
    }
  }
}
