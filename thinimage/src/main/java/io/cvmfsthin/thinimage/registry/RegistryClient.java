package io.cvmfsthin.thinimage.registry;

import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.layer.DigestMismatchException;
import io.cvmfsthin.thinimage.layer.DigestingInputStream;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker Registry HTTP API v2 client: the calls a converter needs to pull an image and push a small
 * one. Thread-safe; shares one {@link HttpClient}, which the caller owns.
 *
 * <p>Scheme: HTTP for loopback registries ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}) and
 * those named insecure, HTTPS for all others. Redirects (blob downloads from a CDN) are followed by
 * hand, dropping the Authorization header when the host changes.
 */
public final class RegistryClient {
  private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_ERROR_BODY = 16 * 1024;

  /** Blobs above this are uploaded in chunks of this size (PATCH), smaller ones in one PUT. */
  static final long DEFAULT_CHUNK_BYTES = 64L << 20;

  private final HttpClient http;
  private final Authenticator auth;
  private final Set<String> insecureRegistries;
  private final RetryPolicy retry;
  private final Duration timeout;
  private final long chunkBytes;

  /**
   * @param http the client to use, {@link #newHttpClient()} gives a suitable one
   * @param credentials where credentials come from
   * @param insecureRegistries registries ({@code host} or {@code host:port}) spoken to over HTTP
   * @param retry retries for transient failures
   */
  public RegistryClient(
      HttpClient http,
      DockerConfig credentials,
      Set<String> insecureRegistries,
      RetryPolicy retry) {
    this(http, credentials, insecureRegistries, retry, Duration.ofMinutes(2), DEFAULT_CHUNK_BYTES);
  }

  RegistryClient(
      HttpClient http,
      DockerConfig credentials,
      Set<String> insecureRegistries,
      RetryPolicy retry,
      Duration timeout,
      long chunkBytes) {
    this.http = http;
    this.timeout = timeout;
    this.auth = new Authenticator(http, credentials, timeout);
    this.insecureRegistries =
        insecureRegistries.stream()
            .map(s -> s.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    this.retry = retry;
    this.chunkBytes = chunkBytes;
  }

  /** An HTTP/1.1 client without automatic redirects and with a connect timeout. */
  public static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(15))
        .build();
  }

  /** {@code http} or {@code https} for this registry. */
  public String scheme(ImageReference ref) {
    String host = ref.host();
    boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    return loopback
            || insecureRegistries.contains(ref.registry())
            || insecureRegistries.contains(host)
        ? "http"
        : "https";
  }

  private URI uri(ImageReference repo, String path) {
    return URI.create(scheme(repo) + "://" + repo.apiHost() + "/v2/" + repo.repository() + path);
  }

  private static String pullScope(ImageReference repo) {
    return "repository:" + repo.repository() + ":pull";
  }

  private static String pushScope(ImageReference repo) {
    return "repository:" + repo.repository() + ":pull,push";
  }

  // ---- pull ----

  /**
   * Gets the manifest (or index) {@code ref} names, by its digest if pinned, else by tag; a pinned
   * digest is verified.
   */
  public ManifestResponse getManifest(ImageReference ref) throws IOException {
    return getManifest(ref, ref.manifestReference());
  }

  /** Gets a manifest by tag or digest ({@code sha256:...}) from {@code repo}'s repository. */
  public ManifestResponse getManifest(ImageReference repo, String reference) throws IOException {
    String what = "manifest " + repo.name() + ":" + reference;
    Call call =
        new Call(repo, "GET", uri(repo, "/manifests/" + reference), pullScope(repo), what)
            .header("Accept", MediaTypes.ACCEPT_MANIFESTS);
    HttpResponse<InputStream> response = send(call);
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw error(response, what);
      }
      byte[] bytes =
          body.readNBytes(io.cvmfsthin.thinimage.image.json.ImageJson.MAX_DOCUMENT_BYTES + 1);
      if (bytes.length > io.cvmfsthin.thinimage.image.json.ImageJson.MAX_DOCUMENT_BYTES) {
        throw new RegistryException(what + ": larger than 8 MiB", 200, null);
      }
      Digest digest = Digest.of(bytes);
      if (reference.startsWith("sha256:") && !digest.equals(Digest.parse(reference))) {
        throw new DigestMismatchException(what, Digest.parse(reference), digest);
      }
      Optional<String> served = response.headers().firstValue("Docker-Content-Digest");
      if (served.isPresent()
          && served.get().startsWith("sha256:")
          && !served.get().equals(digest.toString())) {
        throw new DigestMismatchException(
            what
                + ": the registry says its digest is "
                + served.get()
                + " but the bytes hash to "
                + digest);
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      return new ManifestResponse(bytes, type, digest);
    }
  }

  /** The digest of the manifest under {@code reference}, or empty if there is none. */
  public Optional<Digest> headManifest(ImageReference repo, String reference) throws IOException {
    String what = "manifest " + repo.name() + ":" + reference;
    Call call =
        new Call(repo, "HEAD", uri(repo, "/manifests/" + reference), pullScope(repo), what)
            .header("Accept", MediaTypes.ACCEPT_MANIFESTS);
    HttpResponse<InputStream> response = send(call);
    try (InputStream body = response.body()) {
      if (response.statusCode() == 404) {
        return Optional.empty();
      }
      if (response.statusCode() != 200) {
        throw error(response, what);
      }
      return response.headers().firstValue("Docker-Content-Digest").map(Digest::parse);
    }
  }

  /** Downloads a small blob (a config) whole, verifying its size and digest. */
  public byte[] getBlob(ImageReference repo, Descriptor blob, int maxBytes) throws IOException {
    if (blob.sizeBytes() > maxBytes) {
      throw new RegistryException(
          "blob "
              + blob.digest()
              + ": "
              + blob.sizeBytes()
              + " bytes, more than "
              + maxBytes
              + " allowed for a "
              + blob.mediaType(),
          0,
          null);
    }
    String what = "blob " + repo.name() + "@" + blob.digest().shortForm();
    try (DigestingInputStream in =
        new DigestingInputStream(openBlob(repo, blob.digest()), what, blob.sizeBytes())) {
      byte[] bytes = in.readAllBytes();
      in.verify(blob.digest());
      return bytes;
    }
  }

  /**
   * Opens a blob for streaming. The caller verifies what it reads (see {@code LayerStream});
   * closing the stream releases the connection. A connection lost mid-blob surfaces as an {@link
   * IOException} from {@code read} that names the blob and how far it got.
   */
  public InputStream openBlob(ImageReference repo, Digest digest) throws IOException {
    String what = "blob " + repo.name() + "@" + digest.shortForm();
    Call call = new Call(repo, "GET", uri(repo, "/blobs/" + digest), pullScope(repo), what);
    HttpResponse<InputStream> response = send(call);
    if (response.statusCode() != 200) {
      try (InputStream body = response.body()) {
        throw error(response, what);
      }
    }
    return new NamedFailureInputStream(response.body(), what);
  }

  /** Whether {@code repo}'s repository has the blob. */
  public boolean hasBlob(ImageReference repo, Digest digest, boolean forPush) throws IOException {
    String what = "blob " + repo.name() + "@" + digest.shortForm();
    Call call =
        new Call(
            repo,
            "HEAD",
            uri(repo, "/blobs/" + digest),
            forPush ? pushScope(repo) : pullScope(repo),
            what);
    HttpResponse<InputStream> response = send(call);
    try (InputStream body = response.body()) {
      if (response.statusCode() == 200) {
        return true;
      }
      if (response.statusCode() == 404) {
        return false;
      }
      throw error(response, what);
    }
  }

  // ---- push ----

  /**
   * Uploads a blob unless the repository has it already: one PUT for small blobs, PATCH chunks then
   * a closing PUT for large ones. The registry checks the digest.
   *
   * @return whether it was uploaded ({@code false}: it was there)
   */
  public boolean pushBlob(ImageReference repo, Digest digest, long sizeBytes, BlobSource source)
      throws IOException {
    if (hasBlob(repo, digest, true)) {
      log.debug("blob {} already in {}", digest.shortForm(), repo.name());
      return false;
    }
    String what = "upload of blob " + digest.shortForm() + " to " + repo.name();
    HttpResponse<InputStream> started =
        send(
            new Call(repo, "POST", uri(repo, "/blobs/uploads/"), pushScope(repo), what)
                .body(BodyPublishers::noBody));
    URI location = location(started, what, 202);
    if (sizeBytes <= chunkBytes) {
      putUpload(repo, location, digest, what, () -> stream(source, sizeBytes, what), sizeBytes);
    } else {
      location = patchChunks(repo, location, sizeBytes, source, what);
      putUpload(repo, location, digest, what, BodyPublishers::noBody, 0);
    }
    log.info("pushed blob {} ({} bytes) to {}", digest.shortForm(), sizeBytes, repo.name());
    return true;
  }

  private URI patchChunks(
      ImageReference repo, URI location, long sizeBytes, BlobSource source, String what)
      throws IOException {
    try (InputStream in = source.open()) {
      long offset = 0;
      byte[] chunk = new byte[(int) Math.min(chunkBytes, Integer.MAX_VALUE - 16)];
      while (offset < sizeBytes) {
        int n = in.readNBytes(chunk, 0, (int) Math.min(chunk.length, sizeBytes - offset));
        if (n <= 0) {
          throw new IOException(what + ": source ended at " + offset + " of " + sizeBytes);
        }
        byte[] data = java.util.Arrays.copyOf(chunk, n);
        Call call =
            new Call(repo, "PATCH", location, pushScope(repo), what)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", offset + "-" + (offset + n - 1))
                .body(() -> BodyPublishers.ofByteArray(data));
        location = location(send(call.noRetry()), what, 202);
        offset += n;
      }
      return location;
    }
  }

  private void putUpload(
      ImageReference repo,
      URI location,
      Digest digest,
      String what,
      Supplier<BodyPublisher> body,
      long sizeBytes)
      throws IOException {
    String sep = location.getRawQuery() == null ? "?" : "&";
    URI put =
        URI.create(
            location
                + sep
                + "digest="
                + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
    Call call =
        new Call(repo, "PUT", put, pushScope(repo), what)
            .header("Content-Type", "application/octet-stream")
            .body(body);
    HttpResponse<InputStream> response = send(call.noRetry());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 201) {
        throw error(response, what);
      }
    }
  }

  /**
   * Puts a manifest under {@code reference} (a tag, or its digest).
   *
   * @return the digest the registry reports, checked against the bytes
   */
  public Digest putManifest(
      ImageReference repo, String reference, String mediaType, byte[] manifest) throws IOException {
    String what = "push of manifest " + repo.name() + ":" + reference;
    Call call =
        new Call(repo, "PUT", uri(repo, "/manifests/" + reference), pushScope(repo), what)
            .header("Content-Type", mediaType)
            .body(() -> BodyPublishers.ofByteArray(manifest));
    HttpResponse<InputStream> response = send(call);
    try (InputStream in = response.body()) {
      if (response.statusCode() != 201 && response.statusCode() != 200) {
        throw error(response, what);
      }
    }
    Digest digest = Digest.of(manifest);
    Optional<String> served = response.headers().firstValue("Docker-Content-Digest");
    if (served.isPresent() && !served.get().equals(digest.toString())) {
      throw new DigestMismatchException(
          what + ": the registry stored digest " + served.get() + ", the bytes hash to " + digest);
    }
    log.info("pushed manifest {} as {}:{}", digest.shortForm(), repo.name(), reference);
    return digest;
  }

  // ---- transport ----

  private static BodyPublisher stream(BlobSource source, long size, String what) {
    return BodyPublishers.fromPublisher(
        BodyPublishers.ofInputStream(
            () -> {
              try {
                return source.open();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(what + ": cannot open the source", e);
              }
            }),
        size);
  }

  private URI location(HttpResponse<InputStream> response, String what, int expected)
      throws IOException {
    try (InputStream in = response.body()) {
      if (response.statusCode() != expected) {
        throw error(response, what);
      }
    }
    String loc =
        response
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () ->
                    new RegistryException(
                        what + ": the registry sent no upload Location", expected, null));
    return response.request().uri().resolve(loc);
  }

  private HttpResponse<InputStream> send(Call call) throws IOException {
    boolean authAnswered = false;
    String authorization = auth.cached(call.repo.registry(), call.scope).orElse(null);
    for (int attempt = 1; ; attempt++) {
      if (attempt > 1) {
        sleep(retry.delayBefore(attempt), call.what);
      }
      HttpResponse<InputStream> response;
      try {
        response = sendFollowingRedirects(call, authorization);
      } catch (IOException e) {
        if (attempt < call.attempts(retry)) {
          log.warn("{}: {} (attempt {} of {}), retrying", call.what, e, attempt, retry.attempts());
          continue;
        }
        throw new IOException(
            call.what
                + ": registry "
                + call.repo.registry()
                + " unreachable: "
                + e.getMessage()
                + (e.getMessage() == null ? " (" + e.getClass().getSimpleName() + ")" : ""),
            e);
      }
      int status = response.statusCode();
      if (status == 401 && !authAnswered) {
        drain(response);
        authorization = answer(call, response.headers().allValues("WWW-Authenticate"));
        authAnswered = true;
        attempt--; // the challenge round is not a failed attempt
        continue;
      }
      if (status == 401) {
        RegistryException e = error(response, call.what);
        throw new RegistryException(
            call.what
                + ": credentials rejected by "
                + call.repo.registry()
                + " ("
                + e.getMessage()
                + ")",
            401,
            e.code());
      }
      if (RetryPolicy.isTransient(status) && attempt < call.attempts(retry)) {
        drain(response);
        log.warn(
            "{}: HTTP {} (attempt {} of {}), retrying",
            call.what,
            status,
            attempt,
            retry.attempts());
        continue;
      }
      return response;
    }
  }

  private String answer(Call call, java.util.List<String> challenges) throws IOException {
    try {
      return auth.answer(call.repo.registry(), call.scope, challenges, call.what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(call.what + ": interrupted");
    }
  }

  private HttpResponse<InputStream> sendFollowingRedirects(Call call, String authorization)
      throws IOException {
    URI uri = call.uri;
    String originalHost = uri.getHost();
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
      call.headers.forEach(b::header);
      if (authorization != null && uri.getHost().equals(originalHost)) {
        b.header("Authorization", authorization);
      }
      b.method(call.method, call.body.get());
      HttpResponse<InputStream> response;
      try {
        response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException(call.what + ": interrupted");
      }
      int status = response.statusCode();
      boolean redirect =
          status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
      if (!redirect || !(call.method.equals("GET") || call.method.equals("HEAD"))) {
        return response;
      }
      Optional<String> location = response.headers().firstValue("Location");
      drain(response);
      if (location.isEmpty() || hop >= MAX_REDIRECTS) {
        throw new RegistryException(
            call.what + ": redirect without Location or more than " + MAX_REDIRECTS + " redirects",
            status,
            null);
      }
      uri = uri.resolve(location.get());
      log.debug("{}: redirected to {}", call.what, uri.getHost());
    }
  }

  private static void drain(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      in.readNBytes(MAX_ERROR_BODY);
    } catch (IOException e) {
      log.debug("discarding a response body failed", e);
    }
  }

  private static RegistryException error(HttpResponse<InputStream> response, String what) {
    String body = "";
    try (InputStream in = response.body()) {
      body = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.debug("reading an error body failed", e);
    }
    RegistryErrors.Parsed parsed = RegistryErrors.parse(body);
    String status = "HTTP " + response.statusCode();
    String detail = parsed.code() != null ? parsed.code() + ": " + parsed.message() : shorten(body);
    return new RegistryException(
        what + ": " + status + (detail.isEmpty() ? "" : " " + detail),
        response.statusCode(),
        parsed.code());
  }

  private static String shorten(String s) {
    String t = s.strip().replaceAll("\\s+", " ");
    return t.length() <= 200 ? t : t.substring(0, 197) + "...";
  }

  private static void sleep(Duration d, String what) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(what + ": interrupted");
    }
  }

  /** One request: where, what for, with which scope, headers and a re-creatable body. */
  private static final class Call {
    final ImageReference repo;
    final String method;
    final URI uri;
    final String scope;
    final String what;
    final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    Supplier<BodyPublisher> body = BodyPublishers::noBody;
    boolean retryable = true;

    Call(ImageReference repo, String method, URI uri, String scope, String what) {
      this.repo = repo;
      this.method = method;
      this.uri = uri;
      this.scope = scope;
      this.what = what;
    }

    Call header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Call body(Supplier<BodyPublisher> publisher) {
      this.body = publisher;
      return this;
    }

    /** Upload steps change server state; a blind retry could corrupt the upload session. */
    Call noRetry() {
      retryable = false;
      return this;
    }

    int attempts(RetryPolicy policy) {
      return retryable ? policy.attempts() : 1;
    }
  }
}
