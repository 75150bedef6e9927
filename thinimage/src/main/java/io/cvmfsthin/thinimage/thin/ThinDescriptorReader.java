package io.cvmfsthin.thinimage.thin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code thin.json} (thin-image.md §1.5): UTF-8 JSON of at most 1 MiB, unknown
 * keys ignored, version major 1 (or a legacy {@code 0.x} without layers), at most {@value
 * ThinImage#MAX_LAYERS} layers, each with a 64-hex digest and a {@code cvmfs://} URL. Every failure
 * is a {@link ThinDescriptorException} naming the source and the field.
 */
public final class ThinDescriptorReader {
  /** Size limit of a descriptor in bytes. */
  public static final int MAX_BYTES = 1 << 20;

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(\\..*)?");
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ThinDescriptorReader() {}

  /**
   * Parses and validates a descriptor.
   *
   * @param json the file's bytes
   * @param source where it came from, used in messages (e.g. {@code layer 3f2a…/thin.json})
   */
  public static ThinImage read(byte[] json, String source) throws ThinDescriptorException {
    if (json.length > MAX_BYTES) {
      throw new ThinDescriptorException(
          source + ": " + json.length + " bytes, larger than the 1 MiB limit");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ThinDescriptorException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ThinDescriptorException(source + ": unreadable: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ThinDescriptorException(source + ": not a JSON object");
    }
    String version = text(root, "version", source, true);
    int[] parsed = parseVersion(version, source, "version");
    String minVersion = text(root, "min_version", source, false);
    JsonNode layersNode = root.get("layers");
    if (layersNode == null || layersNode.isNull()) {
      throw new ThinDescriptorException(source + ": layers: missing");
    }
    if (!layersNode.isArray()) {
      throw new ThinDescriptorException(
          source + ": layers: must be an array, found " + layersNode.getNodeType());
    }
    if (parsed[0] == 0) {
      if (layersNode.size() > 0) {
        throw new ThinDescriptorException(
            source
                + ": legacy descriptor (version "
                + version
                + ") with "
                + layersNode.size()
                + " layers, whose order cannot be known; reconvert the image");
      }
      return new ThinImage(version, minVersion, null, List.of(), null);
    }
    if (parsed[0] != 1) {
      throw new ThinDescriptorException(
          source + ": version " + Shorten.of(version) + " is not supported, expected 1.x");
    }
    if (minVersion != null) {
      int[] min = parseVersion(minVersion, source, "min_version");
      int[] implemented = parseVersion(ThinImage.IMPLEMENTED_VERSION, source, "implemented");
      if (min[0] > implemented[0] || (min[0] == implemented[0] && min[1] > implemented[1])) {
        throw new ThinDescriptorException(
            source
                + ": min_version "
                + minVersion
                + " is newer than this reader ("
                + ThinImage.IMPLEMENTED_VERSION
                + ")");
      }
    }
    if (layersNode.size() > ThinImage.MAX_LAYERS) {
      throw new ThinDescriptorException(
          source
              + ": layers: "
              + layersNode.size()
              + " layers, more than the "
              + ThinImage.MAX_LAYERS
              + " allowed");
    }
    List<ThinLayer> layers = new ArrayList<>();
    for (int i = 0; i < layersNode.size(); i++) {
      layers.add(layer(layersNode.get(i), source + ": layers[" + i + "]"));
    }
    return new ThinImage(
        version,
        minVersion,
        text(root, "origin", source, false),
        layers,
        text(root, "comment", source, false));
  }

  private static ThinLayer layer(JsonNode node, String where) throws ThinDescriptorException {
    if (!node.isObject()) {
      throw new ThinDescriptorException(where + ": not a JSON object");
    }
    String digest = text(node, "digest", where, true);
    String url = text(node, "url", where, true);
    CvmfsUrl parsed;
    try {
      parsed = CvmfsUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw new ThinDescriptorException(where + ".url: " + e.getMessage(), e);
    }
    try {
      return new ThinLayer(digest, parsed);
    } catch (IllegalArgumentException e) {
      throw new ThinDescriptorException(where + ".digest: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode node, String key, String where, boolean required)
      throws ThinDescriptorException {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      if (required) {
        throw new ThinDescriptorException(where + ": " + key + ": missing");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw new ThinDescriptorException(
          where + ": " + key + ": must be a string, found " + value.getNodeType());
    }
    return value.textValue();
  }

  private static int[] parseVersion(String version, String source, String key)
      throws ThinDescriptorException {
    Matcher m = VERSION.matcher(version);
    if (!m.matches()) {
      throw new ThinDescriptorException(
          source + ": " + key + " " + Shorten.of(version) + " is not <major>.<minor>");
    }
    try {
      return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    } catch (NumberFormatException e) {
      throw new ThinDescriptorException(
          source + ": " + key + " " + Shorten.of(version) + " is out of range", e);
    }
  }
}
