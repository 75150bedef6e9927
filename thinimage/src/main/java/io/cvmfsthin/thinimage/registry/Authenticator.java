package io.cvmfsthin.thinimage.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code 401} challenges: Basic with the registry's credentials, Bearer by getting a token
 * from the challenge's realm (with the credentials, if any, as Basic auth). Remembers the resulting
 * {@code Authorization} value per registry and scope.
 */
final class Authenticator {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient http;
  private final DockerConfig credentials;
  private final Duration timeout;
  // guards nothing else: values are immutable header strings, key = registry + ' ' + scope
  private final Map<String, String> headers = new ConcurrentHashMap<>();

  Authenticator(HttpClient http, DockerConfig credentials, Duration timeout) {
    this.http = http;
    this.credentials = credentials;
    this.timeout = timeout;
  }

  /** The Authorization value already known for this registry and scope. */
  Optional<String> cached(String registry, String scope) {
    return Optional.ofNullable(headers.get(registry + " " + scope));
  }

  /**
   * Works out an Authorization value from a 401's challenges and remembers it.
   *
   * @param what the request that was refused, for the error message
   * @throws RegistryException if no challenge can be answered, naming the reason
   */
  String answer(String registry, String scope, List<String> wwwAuthenticate, String what)
      throws IOException, InterruptedException {
    Optional<RegistryCredentials> creds = credentials.credentialsFor(registry);
    List<AuthChallenge> challenges =
        wwwAuthenticate.stream().flatMap(h -> AuthChallenge.parse(h).stream()).toList();
    for (AuthChallenge c : challenges) {
      if (c.scheme().equals("bearer") && c.param("realm") != null) {
        String header = "Bearer " + fetchToken(registry, c, scope, creds, what);
        headers.put(registry + " " + scope, header);
        return header;
      }
    }
    for (AuthChallenge c : challenges) {
      if (c.scheme().equals("basic")) {
        if (creds.isEmpty()) {
          throw noCredentials(registry, what);
        }
        String header = creds.get().basicHeader();
        headers.put(registry + " " + scope, header);
        return header;
      }
    }
    throw new RegistryException(
        what
            + ": 401 Unauthorized from "
            + registry
            + " with no usable challenge (WWW-Authenticate: "
            + wwwAuthenticate
            + ")",
        401,
        "UNAUTHORIZED");
  }

  static RegistryException noCredentials(String registry, String what) {
    return new RegistryException(
        what
            + ": 401 Unauthorized: "
            + registry
            + " requires credentials and none are configured"
            + " for it (docker login, or pass --docker-config with an auths entry for "
            + registry
            + ")",
        401,
        "UNAUTHORIZED");
  }

  private String fetchToken(
      String registry,
      AuthChallenge challenge,
      String scope,
      Optional<RegistryCredentials> creds,
      String what)
      throws IOException, InterruptedException {
    StringBuilder url = new StringBuilder(challenge.param("realm"));
    char sep = url.indexOf("?") >= 0 ? '&' : '?';
    if (challenge.param("service") != null) {
      url.append(sep).append("service=").append(encode(challenge.param("service")));
      sep = '&';
    }
    String wanted = challenge.param("scope") != null ? challenge.param("scope") : scope;
    if (wanted != null && !wanted.isEmpty()) {
      for (String s : wanted.split(" ")) {
        url.append(sep).append("scope=").append(encode(s));
        sep = '&';
      }
    }
    URI uri;
    try {
      uri = URI.create(url.toString());
    } catch (IllegalArgumentException e) {
      throw new RegistryException(
          what + ": token realm '" + challenge.param("realm") + "' is not a URL", 401, null, e);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    creds.ifPresent(c -> request.header("Authorization", c.basicHeader()));
    log.debug("token for {} scope {} from {}", registry, wanted, uri.getHost());
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IOException(what + ": token server " + uri.getHost() + " unreachable: " + e, e);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      if (creds.isEmpty()) {
        throw noCredentials(registry, what);
      }
      throw new RegistryException(
          what
              + ": token server "
              + uri.getHost()
              + " refused the credentials for "
              + registry
              + " (HTTP "
              + response.statusCode()
              + ")",
          response.statusCode(),
          "UNAUTHORIZED");
    }
    if (response.statusCode() != 200) {
      throw new RegistryException(
          what + ": token server " + uri.getHost() + " answered HTTP " + response.statusCode(),
          response.statusCode(),
          null);
    }
    JsonNode body;
    try {
      body = MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new RegistryException(
          what + ": token server " + uri.getHost() + " sent no JSON", 200, null, e);
    }
    for (String field : new String[] {"token", "access_token"}) {
      JsonNode t = body == null ? null : body.get(field);
      if (t != null && t.isTextual() && !t.asText().isEmpty()) {
        return t.asText();
      }
    }
    throw new RegistryException(
        what + ": token server " + uri.getHost() + " sent no token", 200, null);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
