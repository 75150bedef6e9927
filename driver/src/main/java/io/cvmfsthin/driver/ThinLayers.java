package io.cvmfsthin.driver;

import io.cvmfsthin.cvmfs.prefetch.ChainKey;
import io.cvmfsthin.driver.layer.ShortIds;
import io.cvmfsthin.driver.layer.ThinRecord;
import io.cvmfsthin.driver.store.LayerStore;
import io.cvmfsthin.thinimage.thin.ThinDescriptorException;
import io.cvmfsthin.thinimage.thin.ThinDescriptorReader;
import io.cvmfsthin.thinimage.thin.ThinImage;
import io.cvmfsthin.thinimage.thin.ThinLayer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin layers (thin-image.md §1.1, §5.2): recognising {@code thin.json} in an extracted layer,
 * validating it against the configured repositories, and acquiring the repositories a layer above a
 * thin layer needs, with its lower dirs pointed into them.
 */
public final class ThinLayers {
  private static final Logger log = LoggerFactory.getLogger(ThinLayers.class);
  static final String DESCRIPTOR = "thin.json";

  private final LayerStore store;
  private final RepositoryMounts repositories;
  private final RandomGenerator random;

  ThinLayers(LayerStore store, RepositoryMounts repositories, RandomGenerator random) {
    this.store = store;
    this.repositories = repositories;
    this.random = random;
  }

  /**
   * The thin record for an extracted layer, if it is thin: {@code thin.json} is a regular file at
   * its root and the only non-directory in it. A descriptor that fails validation is an error.
   */
  Optional<ThinRecord> detect(String id, Path extracted) throws IOException {
    return detect(id, extracted, repositories, random);
  }

  /**
   * {@link #detect(String, Path)} for another front end (the containerd snapshotter, on Commit):
   * the same rules and the same validation against {@code repositories}.
   *
   * @param id the layer or snapshot, for messages
   * @throws ThinDescriptorException for a descriptor that fails validation, naming {@code id}
   */
  public static Optional<ThinRecord> detect(
      String id, Path extracted, RepositoryMounts repositories, RandomGenerator random)
      throws IOException {
    Path descriptor = extracted.resolve(DESCRIPTOR);
    if (!Files.isRegularFile(descriptor, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    if (hasOtherFiles(extracted, descriptor)) {
      log.warn("layer {}: has thin.json beside other files, treated as an ordinary layer", id);
      return Optional.empty();
    }
    String source = "layer " + id + ": thin.json";
    if (Files.size(descriptor) > ThinDescriptorReader.MAX_BYTES) {
      throw new ThinDescriptorException(
          source + ": " + Files.size(descriptor) + " bytes, larger than the 1 MiB limit");
    }
    ThinImage image = ThinDescriptorReader.read(Files.readAllBytes(descriptor), source);
    List<ThinRecord.Entry> entries = new ArrayList<>();
    for (ThinLayer layer : image.lowerStack()) {
      String fqrn = layer.url().fqrn();
      if (!repositories.isConfigured(fqrn)) {
        throw new ThinDescriptorException(
            source
                + ": repository "
                + fqrn
                + " (layer path "
                + layer.url().path()
                + ") is not configured on this host"
                + hint(repositories.missingSettings(fqrn)));
      }
      entries.add(new ThinRecord.Entry(ShortIds.random(random), fqrn, layer.url().path()));
    }
    log.info("layer {}: thin, {} CVMFS layers from {}", id, entries.size(), image.layers().size());
    return Optional.of(new ThinRecord(entries));
  }

  private static String hint(String missingSettings) {
    return missingSettings.isBlank() ? "" : ": " + missingSettings;
  }

  private static boolean hasOtherFiles(Path root, Path descriptor) throws IOException {
    List<Path> dirs = new ArrayList<>(List.of(root));
    while (!dirs.isEmpty()) {
      Path dir = dirs.remove(dirs.size() - 1);
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
        for (Path p : s) {
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            dirs.add(p);
          } else if (!p.equals(descriptor)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Acquires every repository the thin layer {@code thinId} needs, on behalf of {@code layerId},
   * and points its links at the layer directories. On failure, releases what it acquired.
   *
   * @return the repositories acquired, for {@link #release}
   */
  List<String> acquire(String layerId, String thinId) throws IOException {
    ThinRecord record =
        store
            .thin(thinId)
            .orElseThrow(
                () ->
                    new IOException(
                        "layer " + layerId + ": thin ancestor " + thinId + " has no thin record"));
    List<String> acquired = new ArrayList<>();
    boolean ok = false;
    try {
      List<Path> roots = new ArrayList<>();
      for (String fqrn : record.repositories()) {
        try {
          roots.add(repositories.acquire(fqrn));
        } catch (IOException e) {
          throw new IOException(
              "layer " + layerId + ": mounting repository " + fqrn + " failed: " + e.getMessage(),
              e);
        }
        acquired.add(fqrn);
      }
      List<String> fqrns = List.copyOf(record.repositories());
      for (ThinRecord.Entry e : record.layers()) {
        Path dir = roots.get(fqrns.indexOf(e.fqrn())).resolve(e.path());
        if (!Files.isDirectory(dir)) {
          throw new java.nio.file.NoSuchFileException(
              dir.toString(),
              null,
              "layer "
                  + layerId
                  + " (thin layer "
                  + thinId
                  + "): repository "
                  + e.fqrn()
                  + " has no layer directory "
                  + e.path());
        }
        store.pointLink(e.shortId(), dir);
      }
      ok = true;
      return acquired;
    } finally {
      if (!ok) {
        release(acquired);
      }
    }
  }

  /**
   * Tells the repositories that a container of the thin image {@code thinId} starts on {@code
   * layerId} (recorded prefetch); the image is keyed by its real layers, bottom first.
   */
  void started(String layerId, String thinId) {
    try {
      Optional<ThinRecord> record = store.thin(thinId);
      if (record.isEmpty()) {
        return;
      }
      List<ChainKey.Layer> bottomFirst = new ArrayList<>();
      for (ThinRecord.Entry e : record.get().layers()) {
        bottomFirst.add(0, new ChainKey.Layer(e.fqrn(), e.path()));
      }
      repositories.imageStarted(layerId, ChainKey.of(bottomFirst), bottomFirst);
    } catch (IOException | RuntimeException e) {
      log.warn("layer {}: no prefetch: {}", layerId, e.toString());
    }
  }

  /** The container on {@code layerId} stopped (its mount is gone). */
  void stopped(String layerId) {
    try {
      repositories.imageStopped(layerId);
    } catch (RuntimeException e) {
      log.warn("layer {}: stopping its prefetch failed: {}", layerId, e.toString());
    }
  }

  void release(List<String> fqrns) {
    for (String fqrn : fqrns) {
      repositories.release(fqrn);
    }
  }
}
