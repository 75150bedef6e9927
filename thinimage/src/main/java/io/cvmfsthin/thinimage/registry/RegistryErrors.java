package io.cvmfsthin.thinimage.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Reads the registry's error body, {@code {"errors":[{"code":..,"message":..}]}}. */
final class RegistryErrors {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RegistryErrors() {}

  record Parsed(String code, String message) {}

  static Parsed parse(String body) {
    try {
      JsonNode errors = body.isBlank() ? null : MAPPER.readTree(body).get("errors");
      if (errors != null && errors.isArray() && !errors.isEmpty()) {
        JsonNode first = errors.get(0);
        return new Parsed(first.path("code").asText(null), first.path("message").asText(""));
      }
    } catch (IOException | RuntimeException e) {
      // not the registry's JSON: the caller shows the raw body
    }
    return new Parsed(null, "");
  }
}
