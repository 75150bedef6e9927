package io.cvmfsthin.plugin;

import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.config.ConfigFiles;
import io.cvmfsthin.driver.remote.ClientCatalogs;
import io.cvmfsthin.driver.remote.RemoteLayerIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring of the index of remote layers by digest from the CVMFS configuration, as the plugin reads
 * it ({@link CvmfsRepositories}): the repositories searched come from {@value
 * RemoteLayerIndex#SETTING} (comma-separated names; the environment's non-empty value, else {@code
 * default.conf}, {@code default.d/*.conf}, {@code default.local} under the configuration
 * directory); each repository's server, proxy and keys from its usual files and {@code CVMFS_*}
 * environment. Its clients keep their catalogs in {@code <state>/layer-index/<fqrn>}, apart from
 * the FUSE mounts' caches, so that the two never evict each other's files.
 */
public final class LayerIndexes {
  private static final Logger log = LoggerFactory.getLogger(LayerIndexes.class);

  private LayerIndexes() {}

  /**
   * The index for this configuration; searches nothing when the setting is empty. The caller owns
   * and closes it.
   *
   * @throws IllegalArgumentException if the setting names something that is no repository name
   */
  public static RemoteLayerIndex open(
      Path stateDir, Path configRoot, Map<String, String> environment) throws IOException {
    return open(stateDir, configRoot, environment, List.of());
  }

  /**
   * As {@link #open(Path, Path, Map)}, but {@code explicit} (a command's repeated option, e.g.
   * {@code --layer-repository}), when not empty, replaces the setting's list.
   */
  public static RemoteLayerIndex open(
      Path stateDir, Path configRoot, Map<String, String> environment, List<String> explicit)
      throws IOException {
    List<String> repositories =
        explicit.isEmpty()
            ? repositories(configRoot, environment)
            : RemoteLayerIndex.parseRepositories(String.join(",", explicit));
    CvmfsRepositories.PluginConfig config =
        new CvmfsRepositories.PluginConfig(configRoot, stateDir.resolve("cache"), environment);
    Path cacheRoot = stateDir.resolve("layer-index");
    ClientCatalogs catalogs =
        new ClientCatalogs(
            fqrn -> {
              Map<String, String> values = new HashMap<>(config.values(fqrn));
              values.put("CVMFS_CACHE_DIR", cacheRoot.resolve(fqrn).toString());
              try {
                return ClientSettings.fromConfig(fqrn, values).build();
              } catch (IllegalArgumentException e) {
                throw new IOException(
                    "repository "
                        + fqrn
                        + ": configuration in "
                        + configRoot
                        + ": "
                        + e.getMessage(),
                    e);
              }
            });
    log.info(
        "layers by digest searched in {}", repositories.isEmpty() ? "no repository" : repositories);
    return new RemoteLayerIndex(repositories, catalogs);
  }

  /** The value of {@value RemoteLayerIndex#SETTING}, parsed. */
  static List<String> repositories(Path configRoot, Map<String, String> environment)
      throws IOException {
    String value = environment.get(RemoteLayerIndex.SETTING);
    if (value == null || value.isBlank()) {
      // the files every repository reads; no repository's own files: the list is host-wide
      value = ConfigFiles.load(configRoot, "").get(RemoteLayerIndex.SETTING);
    }
    return RemoteLayerIndex.parseRepositories(value);
  }
}
