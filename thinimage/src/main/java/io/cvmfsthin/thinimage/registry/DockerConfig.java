package io.cvmfsthin.thinimage.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from a Docker client {@code config.json} ({@code auths.<registry>.auth} = base64
 * {@code user:password}, or {@code username}/{@code password}). Keys may be written as {@code
 * host}, {@code https://host} or {@code https://host/v1/}; Docker Hub's key is {@code
 * https://index.docker.io/v1/}. Credential helpers ({@code credsStore}, {@code credHelpers}) are
 * not run.
 */
public final class DockerConfig {
  /** No credentials at all: every registry is accessed anonymously. */
  public static final DockerConfig EMPTY = new DockerConfig(Map.of());

  private final Map<String, RegistryCredentials> byHost;

  private DockerConfig(Map<String, RegistryCredentials> byHost) {
    this.byHost = Map.copyOf(byHost);
  }

  /** Credentials given directly, keyed by registry as typed in image references. */
  public static DockerConfig of(Map<String, RegistryCredentials> byRegistry) {
    Map<String, RegistryCredentials> m = new HashMap<>();
    byRegistry.forEach((k, v) -> m.put(normalise(k), v));
    return new DockerConfig(m);
  }

  /**
   * Reads a config file.
   *
   * @throws NoSuchFileException if it does not exist
   * @throws IOException if it is unreadable or not JSON, naming the file (never its content)
   */
  public static DockerConfig read(Path file) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("docker config " + file + " is not valid JSON", e);
    }
    return parse(root, file.toString());
  }

  static DockerConfig parse(JsonNode root, String where) throws IOException {
    Map<String, RegistryCredentials> m = new HashMap<>();
    JsonNode auths = root == null ? null : root.get("auths");
    if (auths == null || !auths.isObject()) {
      return new DockerConfig(m);
    }
    for (var it = auths.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode entry = e.getValue();
      String user = text(entry, "username");
      String password = text(entry, "password");
      String auth = text(entry, "auth");
      if (auth != null && !auth.isEmpty()) {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException ex) {
          throw new IOException(where + ": auths." + e.getKey() + ".auth is not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
          throw new IOException(where + ": auths." + e.getKey() + ".auth is not user:password");
        }
        user = decoded.substring(0, colon);
        password = decoded.substring(colon + 1);
      }
      if (user != null && password != null) {
        m.put(normalise(e.getKey()), new RegistryCredentials(user, password));
      }
    }
    return new DockerConfig(m);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  /** The credentials for {@code registry} (as in an image reference), if any. */
  public Optional<RegistryCredentials> credentialsFor(String registry) {
    return Optional.ofNullable(byHost.get(normalise(registry)));
  }

  static String normalise(String key) {
    String k = key.strip().toLowerCase(Locale.ROOT);
    int scheme = k.indexOf("://");
    if (scheme >= 0) {
      k = k.substring(scheme + 3);
    }
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    return switch (k) {
      case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> "docker.io";
      default -> k;
    };
  }
}
