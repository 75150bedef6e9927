package io.cvmfsthin.thinimage.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on a free loopback port, in a temporary
 * directory; anonymous, htpasswd (basic) or token auth (with a JDK HttpServer token server on
 * loopback that signs RS256 JWTs with an x5c header). Stopped, by its own process handle, on close.
 */
public final class TestRegistry implements AutoCloseable {
  public static final String USER = "tester";
  public static final String PASSWORD = "s3cret";
  // bcrypt of PASSWORD (made with libxcrypt); htpasswd is not installed on the test machines
  private static final String BCRYPT =
      "$2b$04$VdOBOf0vc.kc0bYbehqU9.gEPfT.U/Ec4WPo60xjqMl8WmrociUri";
  private static final String SERVICE = "test-registry";
  private static final String ISSUER = "test-token-issuer";

  public enum Auth {
    NONE,
    BASIC,
    TOKEN
  }

  private final Path dir;
  private final int port;
  private Process process;
  private HttpServer tokenServer;
  private final List<String> tokenRequests = new ArrayList<>();

  private TestRegistry(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts a registry in {@code dir} (which it fills) with the given auth. */
  public static TestRegistry start(Path dir, Auth auth) throws Exception {
    TestRegistry r = new TestRegistry(dir, freePort());
    r.launch(auth);
    return r;
  }

  /** Starts again after {@link #stop()}, on the same port and storage. */
  public void restart(Auth auth) throws Exception {
    launch(auth);
  }

  private void launch(Auth auth) throws Exception {
    Files.createDirectories(dir.resolve("storage"));
    StringBuilder yaml = new StringBuilder();
    yaml.append("version: 0.1\n")
        .append("log:\n  level: warn\n  accesslog:\n    disabled: true\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ")
        .append(dir.resolve("storage"))
        .append("\n  delete:\n    enabled: true\n")
        .append("http:\n  addr: 127.0.0.1:")
        .append(port)
        .append("\n");
    if (auth == Auth.BASIC) {
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(htpasswd, USER + ":" + BCRYPT + "\n");
      yaml.append("auth:\n  htpasswd:\n    realm: test\n    path: ").append(htpasswd).append('\n');
    } else if (auth == Auth.TOKEN) {
      startTokenServer();
      yaml.append("auth:\n  token:\n    realm: http://127.0.0.1:")
          .append(tokenServer.getAddress().getPort())
          .append("/token\n    service: ")
          .append(SERVICE)
          .append("\n    issuer: ")
          .append(ISSUER)
          .append("\n    rootcertbundle: ")
          .append(dir.resolve("token-cert.pem"))
          .append('\n');
    }
    Path config = dir.resolve("config.yml");
    Files.writeString(config, yaml);
    process =
        new ProcessBuilder("docker-registry", "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    awaitUp();
  }

  private void awaitUp() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("docker-registry did not come up on port " + port);
  }

  /** {@code 127.0.0.1:<port>}, the registry part of image references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /** The scopes the token server was asked for, in order. */
  public synchronized List<String> tokenRequests() {
    return List.copyOf(tokenRequests);
  }

  /** Stops the registry process (SIGTERM, then SIGKILL); the storage stays. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Kills the registry at once (SIGKILL), as a crash would. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    if (tokenServer != null) {
      tokenServer.stop(0);
    }
  }

  // ---- token server ----

  private void startTokenServer() throws Exception {
    if (tokenServer != null) {
      return;
    }
    Path key = dir.resolve("token-key.pem");
    Path cert = dir.resolve("token-cert.pem");
    Process p =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString(),
                "-days",
                "2",
                "-subj",
                "/CN=" + ISSUER)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "openssl req failed: " + Files.readString(dir.resolve("openssl.log")));
    }
    PrivateKey privateKey =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(pem(Files.readString(key))));
    X509Certificate certificate;
    try (var in = Files.newInputStream(cert)) {
      certificate =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    String x5c = Base64.getEncoder().encodeToString(certificate.getEncoded());
    tokenServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    tokenServer.createContext(
        "/token",
        exchange -> {
          try (exchange) {
            String authz = exchange.getRequestHeaders().getFirst("Authorization");
            String expected =
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(authz)) {
              exchange.sendResponseHeaders(401, -1);
              return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            String query = exchange.getRequestURI().getRawQuery();
            for (String kv : query == null ? new String[0] : query.split("&")) {
              if (kv.startsWith("scope=")) {
                String scope = java.net.URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8);
                synchronized (this) {
                  tokenRequests.add(scope);
                }
                String[] parts = scope.split(":");
                if (parts.length == 3) {
                  access.add(
                      Map.of(
                          "type",
                          parts[0],
                          "name",
                          parts[1],
                          "actions",
                          List.of(parts[2].split(","))));
                }
              }
            }
            String token = jwt(privateKey, x5c, access);
            byte[] body =
                new ObjectMapper().writeValueAsBytes(Map.of("token", token, "expires_in", 300));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          } catch (Exception e) {
            throw new IOException(e);
          }
        });
    tokenServer.start();
  }

  private static String jwt(PrivateKey key, String x5c, List<Map<String, Object>> access)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("typ", "JWT");
    header.put("alg", "RS256");
    header.put("x5c", List.of(x5c));
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("sub", USER);
    claims.put("aud", SERVICE);
    claims.put("exp", now + Duration.ofMinutes(10).toSeconds());
    claims.put("nbf", now - 60);
    claims.put("iat", now);
    claims.put("jti", UUID.randomUUID().toString());
    claims.put("access", access);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput =
        b64.encodeToString(json.writeValueAsBytes(header))
            + "."
            + b64.encodeToString(json.writeValueAsBytes(claims));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + b64.encodeToString(s.sign());
  }

  private static byte[] pem(String text) {
    String body =
        text.replaceAll("-----BEGIN [A-Z ]+-----", "")
            .replaceAll("-----END [A-Z ]+-----", "")
            .replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
