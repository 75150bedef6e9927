package io.cvmfsthin.thinimage.thin;

import java.nio.charset.StandardCharsets;

/**
 * Writes {@code thin.json} deterministically, byte for byte as Go's {@code json.MarshalIndent(v,
 * "", " ")} writes the original struct (thin-image.md §1.6): keys in the order version,
 * min_version, origin, layers, comment (layer: digest, url), empty optional keys left out, 2-space
 * indent, no trailing newline, HTML characters escaped as Go does.
 */
public final class ThinDescriptorWriter {
  private ThinDescriptorWriter() {}

  /** The descriptor's bytes (UTF-8). */
  public static byte[] write(ThinImage image) {
    StringBuilder out = new StringBuilder(256);
    out.append("{\n");
    field(out, "  ", "version", image.version(), false);
    if (present(image.minVersion())) {
      field(out, "  ", "min_version", image.minVersion(), false);
    }
    if (present(image.origin())) {
      field(out, "  ", "origin", image.origin(), false);
    }
    out.append("  \"layers\": ");
    if (image.layers().isEmpty()) {
      out.append("[]");
    } else {
      out.append("[\n");
      for (int i = 0; i < image.layers().size(); i++) {
        ThinLayer layer = image.layers().get(i);
        out.append("    {\n");
        field(out, "      ", "digest", layer.digest(), false);
        field(out, "      ", "url", layer.url().toString(), true);
        out.append("    }").append(i + 1 < image.layers().size() ? ",\n" : "\n");
      }
      out.append("  ]");
    }
    if (present(image.comment())) {
      out.append(",\n");
      field(out, "  ", "comment", image.comment(), true);
    } else {
      out.append('\n');
    }
    out.append('}');
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean present(String value) {
    return value != null && !value.isEmpty();
  }

  private static void field(
      StringBuilder out, String indent, String key, String value, boolean last) {
    out.append(indent).append('"').append(key).append("\": ");
    quote(out, value);
    out.append(last ? "\n" : ",\n");
  }

  private static void quote(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
