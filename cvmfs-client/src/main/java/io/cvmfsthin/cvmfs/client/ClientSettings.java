package io.cvmfsthin.cvmfs.client;

import io.cvmfsthin.cvmfs.fetch.FetchSettings;
import io.cvmfsthin.cvmfs.fetch.ProxyList;
import io.cvmfsthin.cvmfs.fetch.ProxyList.ProxyAddress;
import io.cvmfsthin.cvmfs.fetch.ServerList;
import io.cvmfsthin.cvmfs.manifest.KeyFiles;
import io.cvmfsthin.cvmfs.metrics.ClientMetrics;
import io.cvmfsthin.cvmfs.object.ContentHash;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link RepositoryClient} needs. Build it with {@link #builder(String)}, or start from a
 * CVMFS configuration with {@link #fromConfig(String, Map)} and override single values (as
 * command-line flags do).
 *
 * @param fqrn repository name, checked by {@link RepositoryNames}
 * @param servers base URLs, {@code @fqrn@} already replaced ({@code CVMFS_SERVER_URL})
 * @param proxyGroups proxy groups ({@code CVMFS_HTTP_PROXY}); {@code [[DIRECT]]} for none
 * @param masterKeys the trusted master public keys ({@code CVMFS_PUBLIC_KEY}, {@code
 *     CVMFS_KEYS_DIR})
 * @param blacklist certificate fingerprints never to trust
 * @param cacheDir the object cache directory
 * @param quotaBytes cache quota ({@code CVMFS_QUOTA_LIMIT}); 0 or less for none
 * @param fetch timeouts and retries
 * @param tag a named revision to read instead of HEAD ({@code CVMFS_REPOSITORY_TAG}), or null
 * @param maxTtl cap on the root catalog's TTL ({@code CVMFS_MAX_TTL}), or null
 * @param maxCatalogBytes largest inflated catalog or history database accepted
 * @param clock time for whitelist expiry and TTLs
 * @param maxConcurrentFetches most objects fetched over HTTP at once by one client ({@code
 *     CVMFS_MAX_CONCURRENT_FETCHES}, default {@value #DEFAULT_MAX_CONCURRENT_FETCHES}): readers,
 *     read-ahead and prefetch together
 * @param readaheadChunks chunks after the one being read that a sequential read fetches ahead in
 *     the background ({@code CVMFS_READAHEAD_CHUNKS}, default {@value #DEFAULT_READAHEAD_CHUNKS}; 0
 *     for none)
 * @param fetchExecutor runs background fetches (read-ahead, prefetch); null: the client makes a
 *     pool of {@code maxConcurrentFetches} named daemon threads and shuts it down on close. Given
 *     by the composition root, it stays the caller's; the client bounds its fetches either way
 * @param metrics where the client reports fetches, cache use and FUSE calls; {@link
 *     ClientMetrics#NONE} (the default) for nowhere
 */
public record ClientSettings(
    String fqrn,
    List<String> servers,
    List<List<ProxyAddress>> proxyGroups,
    List<PublicKey> masterKeys,
    Set<ContentHash> blacklist,
    Path cacheDir,
    long quotaBytes,
    FetchSettings fetch,
    String tag,
    Duration maxTtl,
    long maxCatalogBytes,
    Clock clock,
    int maxConcurrentFetches,
    int readaheadChunks,
    Executor fetchExecutor,
    ClientMetrics metrics) {

  /** The stock client's default quota, 4000 MB. */
  public static final long DEFAULT_QUOTA_BYTES = 4000L * 1024 * 1024;

  public static final int DEFAULT_MAX_CONCURRENT_FETCHES = 16;
  public static final int DEFAULT_READAHEAD_CHUNKS = 4;

  private static final Logger log = LoggerFactory.getLogger(ClientSettings.class);

  public ClientSettings {
    metrics = metrics == null ? ClientMetrics.NONE : metrics;
    RepositoryNames.requireValid(fqrn);
    servers = List.copyOf(servers);
    proxyGroups = List.copyOf(proxyGroups);
    masterKeys = List.copyOf(masterKeys);
    blacklist = Set.copyOf(blacklist);
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(fetch, "fetch");
    Objects.requireNonNull(clock, "clock");
    if (servers.isEmpty()) {
      throw new IllegalArgumentException(fqrn + ": no server URL (CVMFS_SERVER_URL, --url)");
    }
    if (masterKeys.isEmpty()) {
      throw new IllegalArgumentException(
          fqrn + ": no master public key (CVMFS_PUBLIC_KEY, CVMFS_KEYS_DIR, --key)");
    }
    if (maxConcurrentFetches < 1) {
      throw new IllegalArgumentException(
          fqrn + ": CVMFS_MAX_CONCURRENT_FETCHES=" + maxConcurrentFetches + " is less than 1");
    }
    if (readaheadChunks < 0) {
      throw new IllegalArgumentException(
          fqrn + ": CVMFS_READAHEAD_CHUNKS=" + readaheadChunks + " is negative");
    }
  }

  public static Builder builder(String fqrn) {
    return new Builder(RepositoryNames.requireValid(fqrn));
  }

  /**
   * A builder preset from CVMFS configuration values: {@code CVMFS_SERVER_URL}, {@code
   * CVMFS_HTTP_PROXY}, {@code CVMFS_PUBLIC_KEY} (':'-separated files) or {@code CVMFS_KEYS_DIR},
   * {@code CVMFS_CACHE_DIR} or {@code CVMFS_CACHE_BASE} (+ {@code /cvmfs-thin}), {@code
   * CVMFS_QUOTA_LIMIT} (MB, -1 = none), {@code CVMFS_TIMEOUT}, {@code CVMFS_TIMEOUT_DIRECT}, {@code
   * CVMFS_MAX_RETRIES}, {@code CVMFS_BACKOFF_INIT}, {@code CVMFS_BACKOFF_MAX}, {@code
   * CVMFS_HOST_RESET_AFTER}, {@code CVMFS_PROXY_RESET_AFTER}, {@code CVMFS_REPOSITORY_TAG}, {@code
   * CVMFS_MAX_TTL} (minutes), {@code CVMFS_BLACKLIST} (if the file exists), {@code
   * CVMFS_MAX_CONCURRENT_FETCHES}, {@code CVMFS_READAHEAD_CHUNKS}. Keys absent keep the defaults.
   */
  public static Builder fromConfig(String fqrn, Map<String, String> config) throws IOException {
    Builder b = builder(fqrn);
    String v;
    if ((v = config.get("CVMFS_SERVER_URL")) != null) {
      b.serverUrls(v);
    }
    if ((v = config.get("CVMFS_HTTP_PROXY")) != null && !v.isBlank()) {
      b.proxies(v);
    }
    if ((v = config.get("CVMFS_PUBLIC_KEY")) != null && !v.isBlank()) {
      List<PublicKey> keys = new ArrayList<>();
      for (String f : v.split(":")) {
        if (!f.isBlank()) {
          keys.addAll(KeyFiles.loadPublicKeys(Path.of(f.strip())));
        }
      }
      b.masterKeys(keys);
    } else if ((v = config.get("CVMFS_KEYS_DIR")) != null && !v.isBlank()) {
      b.masterKeys(KeyFiles.loadPublicKeys(Path.of(v.strip())));
    }
    if ((v = config.get("CVMFS_BLACKLIST")) != null && !v.isBlank()) {
      Path file = Path.of(v.strip());
      if (java.nio.file.Files.isRegularFile(file)) {
        b.blacklist(
            parseBlacklist(
                java.nio.file.Files.readString(file),
                (line, text) ->
                    log.warn(
                        "{}: CVMFS_BLACKLIST {} line {} is no certificate fingerprint, ignored: {}",
                        fqrn,
                        file,
                        line,
                        text)));
      }
    }
    if ((v = config.get("CVMFS_CACHE_DIR")) != null && !v.isBlank()) {
      b.cacheDir(Path.of(v.strip()));
    } else if ((v = config.get("CVMFS_CACHE_BASE")) != null && !v.isBlank()) {
      b.cacheDir(Path.of(v.strip()).resolve("cvmfs-thin"));
    }
    if ((v = config.get("CVMFS_QUOTA_LIMIT")) != null) {
      long mb = number("CVMFS_QUOTA_LIMIT", v);
      b.quotaBytes(mb < 0 ? 0 : mb * 1024 * 1024);
    }
    FetchSettings f = FetchSettings.DEFAULTS;
    Duration connect = f.connectTimeout();
    if ((v = config.get("CVMFS_TIMEOUT_DIRECT")) != null && b.isDirect()) {
      connect = Duration.ofSeconds(number("CVMFS_TIMEOUT_DIRECT", v));
    } else if ((v = config.get("CVMFS_TIMEOUT")) != null && !b.isDirect()) {
      connect = Duration.ofSeconds(number("CVMFS_TIMEOUT", v));
    }
    int retries = f.maxRetries();
    if ((v = config.get("CVMFS_MAX_RETRIES")) != null) {
      retries = (int) number("CVMFS_MAX_RETRIES", v);
    }
    Duration backoffInit = f.backoffInit();
    if ((v = config.get("CVMFS_BACKOFF_INIT")) != null) {
      backoffInit = Duration.ofSeconds(number("CVMFS_BACKOFF_INIT", v));
    }
    Duration backoffMax = f.backoffMax();
    if ((v = config.get("CVMFS_BACKOFF_MAX")) != null) {
      backoffMax = Duration.ofSeconds(number("CVMFS_BACKOFF_MAX", v));
    }
    Duration hostReset = Duration.ofSeconds(1800);
    if ((v = config.get("CVMFS_HOST_RESET_AFTER")) != null) {
      hostReset = Duration.ofSeconds(number("CVMFS_HOST_RESET_AFTER", v));
    }
    Duration proxyReset = Duration.ofSeconds(300);
    if ((v = config.get("CVMFS_PROXY_RESET_AFTER")) != null) {
      proxyReset = Duration.ofSeconds(number("CVMFS_PROXY_RESET_AFTER", v));
    }
    b.fetch(
        new FetchSettings(
            connect, connect, retries, backoffInit, backoffMax, hostReset, proxyReset));
    if ((v = config.get("CVMFS_REPOSITORY_TAG")) != null && !v.isBlank()) {
      b.tag(v.strip());
    }
    if ((v = config.get("CVMFS_MAX_TTL")) != null && !v.isBlank()) {
      long minutes = number("CVMFS_MAX_TTL", v);
      b.maxTtl(minutes > 0 ? Duration.ofMinutes(minutes) : null);
    }
    if ((v = config.get("CVMFS_MAX_CONCURRENT_FETCHES")) != null && !v.isBlank()) {
      b.maxConcurrentFetches((int) number("CVMFS_MAX_CONCURRENT_FETCHES", v));
    }
    if ((v = config.get("CVMFS_READAHEAD_CHUNKS")) != null && !v.isBlank()) {
      b.readaheadChunks((int) number("CVMFS_READAHEAD_CHUNKS", v));
    }
    return b;
  }

  /**
   * The certificate fingerprints of a blacklist file ({@code CVMFS_BLACKLIST}), one per line in
   * whitelist form; {@code <fqrn N} revision lines, comments and blank lines are skipped.
   *
   * @param unparsable told the line number (from 1) and text of each other line that is no
   *     fingerprint: skipped as the stock client skips it, but a mistyped revoked fingerprint would
   *     otherwise stay trusted without a word
   */
  public static Set<ContentHash> parseBlacklist(
      String text, BiConsumer<Integer, String> unparsable) {
    Set<ContentHash> out = new java.util.HashSet<>();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].strip();
      if (l.isEmpty() || l.startsWith("<") || l.startsWith("#")) {
        continue;
      }
      try {
        out.add(ContentHash.parseFingerprint(l));
      } catch (IllegalArgumentException e) {
        unparsable.accept(i + 1, l);
      }
    }
    return out;
  }

  private static long number(String key, String v) {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "='" + v + "' is not a number", e);
    }
  }

  /** Collects settings; {@link #build()} checks them. */
  public static final class Builder {
    private final String fqrn;
    private List<String> servers = List.of();
    private List<List<ProxyAddress>> proxyGroups = List.of(List.of(ProxyAddress.DIRECT));
    private List<PublicKey> masterKeys = List.of();
    private Set<ContentHash> blacklist = Set.of();
    private Path cacheDir;
    private long quotaBytes = DEFAULT_QUOTA_BYTES;
    private FetchSettings fetch = FetchSettings.DEFAULTS;
    private String tag;
    private Duration maxTtl;
    private long maxCatalogBytes = 4L * 1024 * 1024 * 1024;
    private Clock clock = Clock.systemUTC();
    private int maxConcurrentFetches = DEFAULT_MAX_CONCURRENT_FETCHES;
    private int readaheadChunks = DEFAULT_READAHEAD_CHUNKS;
    private Executor fetchExecutor;
    private ClientMetrics metrics = ClientMetrics.NONE;

    private Builder(String fqrn) {
      this.fqrn = fqrn;
    }

    /** {@code CVMFS_SERVER_URL} syntax: {@code ;}-separated, {@code @fqrn@} and {@code @org@}. */
    public Builder serverUrls(String cvmfsServerUrl) {
      this.servers = ServerList.parse(cvmfsServerUrl, fqrn);
      return this;
    }

    /** {@code CVMFS_HTTP_PROXY} syntax: {@code ;} groups, {@code |} members, DIRECT. */
    public Builder proxies(String cvmfsHttpProxy) {
      this.proxyGroups = ProxyList.parse(cvmfsHttpProxy);
      return this;
    }

    public Builder masterKeys(List<PublicKey> keys) {
      this.masterKeys = List.copyOf(keys);
      return this;
    }

    /** Loads a {@code .pub} file or every {@code *.pub} of a directory. */
    public Builder masterKeys(Path fileOrDir) throws IOException {
      return masterKeys(KeyFiles.loadPublicKeys(fileOrDir));
    }

    public Builder blacklist(Set<ContentHash> fingerprints) {
      this.blacklist = Set.copyOf(fingerprints);
      return this;
    }

    public Builder cacheDir(Path dir) {
      this.cacheDir = dir;
      return this;
    }

    public Builder quotaBytes(long bytes) {
      this.quotaBytes = bytes;
      return this;
    }

    public Builder fetch(FetchSettings settings) {
      this.fetch = settings;
      return this;
    }

    public Builder tag(String tagName) {
      this.tag = tagName == null || tagName.isBlank() ? null : tagName;
      return this;
    }

    public Builder maxTtl(Duration ttl) {
      this.maxTtl = ttl;
      return this;
    }

    public Builder maxCatalogBytes(long bytes) {
      this.maxCatalogBytes = bytes;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    /** {@code CVMFS_MAX_CONCURRENT_FETCHES}: at least 1. */
    public Builder maxConcurrentFetches(int fetches) {
      this.maxConcurrentFetches = fetches;
      return this;
    }

    /** {@code CVMFS_READAHEAD_CHUNKS}: 0 turns read-ahead off. */
    public Builder readaheadChunks(int chunks) {
      this.readaheadChunks = chunks;
      return this;
    }

    /** Background fetches run here (owned by the caller); null: the client makes its own pool. */
    public Builder fetchExecutor(Executor executor) {
      this.fetchExecutor = executor;
      return this;
    }

    /** Where the client reports what it does (made once per process by the application). */
    public Builder metrics(ClientMetrics sink) {
      this.metrics = sink;
      return this;
    }

    boolean isDirect() {
      return proxyGroups.size() == 1
          && proxyGroups.get(0).stream().allMatch(ProxyAddress::isDirect);
    }

    public ClientSettings build() {
      return new ClientSettings(
          fqrn,
          servers,
          proxyGroups,
          masterKeys,
          blacklist,
          cacheDir,
          quotaBytes,
          fetch,
          tag,
          maxTtl,
          maxCatalogBytes,
          clock,
          maxConcurrentFetches,
          readaheadChunks,
          fetchExecutor,
          metrics);
    }
  }
}
