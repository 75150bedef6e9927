package io.cvmfsthin.plugin.cli;

import ch.qos.logback.classic.Level;
import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.config.ConfigFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The options every repository command shares. Configuration files are read first, in the order
 * given (CVMFS {@code KEY=value} form, e.g. {@code /etc/cvmfs/default.local}); flags override them.
 * Without {@code --cache} and without {@code CVMFS_CACHE_DIR}/{@code CVMFS_CACHE_BASE}, a temporary
 * cache is used and deleted afterwards.
 */
final class RepositoryOptions {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Server URLs in CVMFS_SERVER_URL syntax: ';'-separated, @fqrn@ and @org@.")
  String url;

  @Option(
      names = "--key",
      paramLabel = "PUBKEY",
      description = "Master public key: a .pub file or a directory of them.")
  Path key;

  @Option(
      names = "--proxy",
      paramLabel = "PROXIES",
      description = "Proxies in CVMFS_HTTP_PROXY syntax (';' groups, '|' members, DIRECT).")
  String proxy;

  @Option(names = "--tag", paramLabel = "TAG", description = "Read this named revision.")
  String tag;

  @Option(names = "--cache", paramLabel = "DIR", description = "Object cache directory.")
  Path cache;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      arity = "1..*",
      description = "CVMFS configuration files (KEY=value), read in order; flags override them.")
  List<Path> config = new ArrayList<>();

  /** Opens the repository; the caller closes the result, which also drops a temporary cache. */
  OpenRepository open(String fqrn, boolean verbose) throws IOException {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(verbose ? Level.DEBUG : Level.ERROR);
    Map<String, String> values = new LinkedHashMap<>();
    for (Path f : config) {
      if (!Files.isRegularFile(f)) {
        throw new java.nio.file.NoSuchFileException(f.toString(), null, "no such config file");
      }
      ConfigFiles.readInto(f, values);
    }
    ClientSettings.Builder b = ClientSettings.fromConfig(fqrn, values);
    if (url != null) {
      b.serverUrls(url);
    }
    if (key != null) {
      b.masterKeys(key);
    }
    if (proxy != null) {
      b.proxies(proxy);
    }
    if (tag != null) {
      b.tag(tag);
    }
    Path temporary = null;
    if (cache != null) {
      b.cacheDir(cache);
    } else if (!values.containsKey("CVMFS_CACHE_DIR") && !values.containsKey("CVMFS_CACHE_BASE")) {
      temporary = Files.createTempDirectory("cvmfs-thin-cache-");
      b.cacheDir(temporary);
    }
    try {
      return new OpenRepository(RepositoryClient.open(b.build()), temporary);
    } catch (IOException | RuntimeException e) {
      deleteTree(temporary);
      throw e;
    }
  }

  /** A client and the temporary cache to delete with it. */
  record OpenRepository(RepositoryClient client, Path temporaryCache) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      client.close();
      deleteTree(temporaryCache);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
