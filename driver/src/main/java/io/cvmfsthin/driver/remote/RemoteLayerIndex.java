package io.cvmfsthin.driver.remote;

import io.cvmfsthin.cvmfs.catalog.EntryKind;
import io.cvmfsthin.thinimage.convert.LayerLayout;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.thin.CvmfsUrl;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an ordinary image's layer, by its compressed blob digest, in the configured repositories: a
 * layer counts only when complete, that is when {@code /.layers/<h2>/<hex>/.metadata/layers.json}
 * (written in the same publication as the layer, after its content was verified) is a file and
 * {@code /.layers/<h2>/<hex>/layerfs} a directory. A {@code layerfs} without that file is an
 * interrupted ingest and is not used.
 *
 * <p>Repositories are searched in configuration order; the first holding the layer wins. A
 * repository that cannot be searched (server down, bad signature, not configured) does not stop the
 * search: if another holds the layer, that one is used (and the failure logged); if none of those
 * that answered holds it, {@link #find} throws {@link RepositoryUnavailableException} naming the
 * silent ones rather than answer "absent", which the caller could not tell from a real absence (a
 * containerd snapshotter would then download every layer of every image while CVMFS is down; with
 * the exception it can decide so knowingly, and say why).
 *
 * <p>Thread-safe if its {@link RepositoryCatalogs} is. Owns the catalogs: {@link #close} closes
 * them.
 */
public final class RemoteLayerIndex implements AutoCloseable {
  /** The setting naming the repositories searched, comma-separated, in CVMFS's configuration. */
  public static final String SETTING = "CVMFS_LAYER_REPOSITORIES";

  private static final Logger log = LoggerFactory.getLogger(RemoteLayerIndex.class);

  private final List<String> repositories;
  private final RepositoryCatalogs catalogs;

  /**
   * @param repositories fully qualified repository names, searched in this order
   * @throws IllegalArgumentException if a name is not a fully qualified repository name
   */
  public RemoteLayerIndex(List<String> repositories, RepositoryCatalogs catalogs) {
    for (String fqrn : repositories) {
      checkRepository(fqrn);
    }
    this.repositories = List.copyOf(new LinkedHashSet<>(repositories));
    this.catalogs = catalogs;
  }

  /**
   * Parses the value of {@value #SETTING}: repository names separated by commas (blanks around them
   * ignored, duplicates dropped); null or blank is the empty list (nothing searched).
   *
   * @throws IllegalArgumentException naming the setting and the bad name
   */
  public static List<String> parseRepositories(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String part : value.split(",", -1)) {
      String fqrn = part.strip();
      if (fqrn.isEmpty()) {
        throw new IllegalArgumentException(SETTING + "='" + value + "': empty repository name");
      }
      try {
        checkRepository(fqrn);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(SETTING + ": " + e.getMessage(), e);
      }
      names.add(fqrn);
    }
    return List.copyOf(names);
  }

  private static void checkRepository(String fqrn) {
    new CvmfsUrl(fqrn, "layerfs"); // the same rule as a thin.json URL's repository name
  }

  /** The repositories searched, in order. */
  public List<String> repositories() {
    return repositories;
  }

  /**
   * The {@code cvmfs://<fqrn>/.layers/<h2>/<hex>/layerfs} of the layer with compressed digest
   * {@code layerDigest} in the first repository holding it complete.
   *
   * @param layerDigest {@code sha256:<64 lowercase hex>}, as in an image manifest and containerd's
   *     {@code containerd.io/snapshot/cri.layer-digest} label
   * @return empty if every repository answered and none holds the layer complete
   * @throws IllegalArgumentException if {@code layerDigest} is no sha256 digest
   * @throws RepositoryUnavailableException if no answering repository holds it and some did not
   *     answer
   */
  public Optional<CvmfsUrl> find(String layerDigest) throws IOException {
    Digest digest;
    try {
      digest = Digest.parse(layerDigest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layer digest: " + e.getMessage(), e);
    }
    List<String> silent = new ArrayList<>();
    IOException firstFailure = null;
    for (String fqrn : repositories) {
      try {
        if (holdsComplete(fqrn, digest)) {
          CvmfsUrl url = LayerLayout.url(fqrn, digest);
          if (!silent.isEmpty()) {
            log.warn(
                "layer {}: found in {} while {} could not be searched: {}",
                digest.shortForm(),
                fqrn,
                silent,
                firstFailure.getMessage());
          }
          log.debug("layer {}: {}", digest.shortForm(), url);
          return Optional.of(url);
        }
      } catch (IOException e) {
        silent.add(fqrn);
        if (firstFailure == null) {
          firstFailure = e;
        } else {
          firstFailure.addSuppressed(e);
        }
      }
    }
    if (!silent.isEmpty()) {
      throw new RepositoryUnavailableException(digest.toString(), silent, firstFailure);
    }
    log.debug("layer {}: in none of {}", digest.shortForm(), repositories);
    return Optional.empty();
  }

  private boolean holdsComplete(String fqrn, Digest digest) throws IOException {
    Optional<EntryKind> marker = catalogs.kind(fqrn, LayerLayout.layerCompleteMarker(digest));
    Optional<EntryKind> layerFs = catalogs.kind(fqrn, LayerLayout.layerFs(digest));
    if (marker.equals(Optional.of(EntryKind.REGULAR))
        && layerFs.equals(Optional.of(EntryKind.DIRECTORY))) {
      return true;
    }
    if (layerFs.isPresent()) {
      log.info(
          "layer {} in {}: {} present but {} is {}; not used (an interrupted or damaged ingest)",
          digest.shortForm(),
          fqrn,
          LayerLayout.layerFs(digest)
              + (layerFs.get() == EntryKind.DIRECTORY ? "" : " (not a directory)"),
          LayerLayout.layerCompleteMarker(digest),
          marker.map(k -> "a " + k).orElse("missing"));
    }
    return false;
  }

  /** Closes the catalogs (their clients and caches). */
  @Override
  public void close() {
    catalogs.close();
  }
}
