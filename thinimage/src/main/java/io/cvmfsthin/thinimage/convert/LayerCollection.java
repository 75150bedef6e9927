package io.cvmfsthin.thinimage.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import io.cvmfsthin.cvmfs.client.ClientSettings;
import io.cvmfsthin.cvmfs.client.RepositoryClient;
import io.cvmfsthin.cvmfs.publish.Publication;
import io.cvmfsthin.cvmfs.publish.PublishResult;
import io.cvmfsthin.cvmfs.publish.RepositoryPublisher;
import io.cvmfsthin.thinimage.thin.ThinDescriptorReader;
import io.cvmfsthin.thinimage.thin.ThinImage;
import io.cvmfsthin.thinimage.thin.ThinLayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection of converted layers: the {@code .layers/<h2>/<hex>/} directories that nothing
 * in the repository references any more, older than a grace period, removed in one new revision
 * (their objects are freed by the next {@code repo gc}).
 *
 * <p>Referenced are the layers named by the {@code layers[].digest} of every {@code
 * .metadata/…/manifest.json} (the image manifests the converter records) and by the layer URLs of
 * every {@code thin.json} published in the repository (outside {@code .layers}). A layer directory
 * without the converter's {@code .metadata/layers.json} is not the converter's (a layer a {@code
 * docker commit} published, keyed by its diff id and named only by thin images in registries) and
 * is never collected. A layer's age is its newest mtime among the layer directory, its {@code
 * .metadata} directory and files (rewritten when a conversion reuses the layer). The scan and the
 * removal run in one publisher transaction, under the publish lock, so no conversion can add a
 * reference in between. An unreadable {@code manifest.json} or {@code thin.json} stops the
 * collection: nothing is removed on a guess.
 */
public final class LayerCollection {
  private static final Logger log = LoggerFactory.getLogger(LayerCollection.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final long MAX_JSON_BYTES = 16L << 20;

  private LayerCollection() {}

  /**
   * One layer directory as found.
   *
   * @param path {@code /.layers/<h2>/<hex>}
   * @param newestMtimeSeconds the newest mtime of the directory and its metadata
   * @param sizeBytes the sum of its regular files' sizes
   * @param converted whether it has the converter's {@code .metadata/layers.json}
   */
  public record Layer(
      String hex, String path, long newestMtimeSeconds, long sizeBytes, boolean converted) {}

  /**
   * What a collection decided.
   *
   * @param remove unreferenced converted layers older than the grace period
   * @param referenced layers some manifest.json or thin.json names
   * @param young unreferenced layers still within the grace period
   * @param notConverted layer directories without converter metadata, kept
   * @param manifests {@code manifest.json} files read
   * @param thinDescriptors {@code thin.json} files read
   */
  public record Plan(
      List<Layer> remove,
      List<Layer> referenced,
      List<Layer> young,
      List<Layer> notConverted,
      int manifests,
      int thinDescriptors) {
    public long removeBytes() {
      return remove.stream().mapToLong(Layer::sizeBytes).sum();
    }
  }

  /**
   * @param removed whether the layers of the plan were removed
   * @param revision the revision now served (the new one if removed)
   */
  public record Result(Plan plan, boolean removed, long revision) {}

  /** Core: which layers go. */
  static Plan decide(
      List<Layer> layers,
      Set<String> referencedHex,
      long cutoffEpochSeconds,
      int manifests,
      int thinDescriptors) {
    List<Layer> remove = new ArrayList<>();
    List<Layer> referenced = new ArrayList<>();
    List<Layer> young = new ArrayList<>();
    List<Layer> notConverted = new ArrayList<>();
    for (Layer l : layers) {
      if (referencedHex.contains(l.hex())) {
        referenced.add(l);
      } else if (!l.converted()) {
        notConverted.add(l);
      } else if (l.newestMtimeSeconds() > cutoffEpochSeconds) {
        young.add(l);
      } else {
        remove.add(l);
      }
    }
    return new Plan(remove, referenced, young, notConverted, manifests, thinDescriptors);
  }

  /**
   * Plans, and with {@code delete} carries out, the collection of repository {@code fqrn} in {@code
   * storage}; reads it as a client would (keys: {@code <keys>/<fqrn>.pub}).
   */
  public static Result run(
      Path storage, Path keysDir, String fqrn, Duration grace, boolean delete, Clock clock)
      throws IOException {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("the grace period must not be negative: " + grace);
    }
    RepositoryPublisher publisher = RepositoryPublisher.open(storage, keysDir, fqrn, clock);
    long cutoff = clock.instant().getEpochSecond() - grace.toSeconds();
    Plan[] plan = new Plan[1];
    Path cache = Files.createTempDirectory("layers-gc-");
    try {
      PublishResult r =
          publisher.transaction(
              t -> {
                try (RepositoryClient client =
                    RepositoryClient.open(
                        ClientSettings.builder(fqrn)
                            .serverUrls(storage.toAbsolutePath().toUri() + "@fqrn@")
                            .masterKeys(keysDir.resolve(fqrn + ".pub"))
                            .cacheDir(cache)
                            .build())) {
                  if (client.revision() != t.baseRevision()) {
                    throw new IOException(
                        fqrn
                            + ": read revision "
                            + client.revision()
                            + " but the publisher is at "
                            + t.baseRevision());
                  }
                  plan[0] = scan(client, cutoff);
                }
                if (delete) {
                  for (Layer l : plan[0].remove()) {
                    t.apply(Publication.removal(l.path()));
                  }
                }
              });
      Plan p = plan[0];
      log.info(
          "{}: layers gc {} {} of {} layers ({} bytes)",
          fqrn,
          delete ? "removed" : "would remove",
          p.remove().size(),
          p.remove().size() + p.referenced().size() + p.young().size() + p.notConverted().size(),
          p.removeBytes());
      return new Result(p, r.changed(), r.revision());
    } finally {
      deleteTree(cache);
    }
  }

  private static Plan scan(RepositoryClient client, long cutoff) throws IOException {
    List<Layer> layers = new ArrayList<>();
    Set<String> referenced = new TreeSet<>();
    String fqrn = client.fqrn();
    if (exists(client, LayerLayout.LAYERS)) {
      for (DirectoryEntry fan : client.list(LayerLayout.LAYERS)) {
        if (!fan.isDirectory()) {
          continue;
        }
        for (DirectoryEntry dir : client.list(fan.path())) {
          if (dir.isDirectory() && HEX64.matcher(dir.name()).matches()) {
            layers.add(layer(client, dir));
          }
        }
      }
    }
    int[] counts = new int[2];
    Deque<String> todo = new ArrayDeque<>(List.of(""));
    while (!todo.isEmpty()) {
      String dir = todo.pop();
      for (DirectoryEntry e : client.list(dir.isEmpty() ? "/" : dir)) {
        if (e.isDirectory()) {
          if (!e.path().equals(LayerLayout.LAYERS)) {
            todo.push(e.path());
          }
        } else if (e.isRegular()
            && e.name().equals("manifest.json")
            && e.path().startsWith(LayerLayout.METADATA + "/")) {
          referenced.addAll(manifestLayers(read(client, e.path()), e.path()));
          counts[0]++;
        } else if (e.isRegular() && e.name().equals("thin.json")) {
          ThinImage thin = ThinDescriptorReader.read(read(client, e.path()), fqrn + e.path());
          for (ThinLayer l : thin.layers()) {
            String[] parts = l.url().path().split("/");
            if (l.url().fqrn().equals(fqrn) && parts.length >= 3 && parts[0].equals(".layers")) {
              referenced.add(parts[2]);
            }
          }
          counts[1]++;
        }
      }
    }
    return decide(layers, referenced, cutoff, counts[0], counts[1]);
  }

  /** The hex digests of a manifest's layers; an index or config-only document names none. */
  static Set<String> manifestLayers(byte[] json, String where) throws IOException {
    Set<String> out = new TreeSet<>();
    JsonNode layers;
    try {
      layers = JSON.readTree(json).path("layers");
    } catch (IOException e) {
      throw new IOException(where + ": not JSON, refusing to collect layers: " + e.getMessage(), e);
    }
    for (JsonNode l : layers) {
      String d = l.path("digest").asText("");
      int colon = d.indexOf(':');
      if (colon < 0 || !HEX64.matcher(d.substring(colon + 1)).matches()) {
        throw new IOException(
            where + ": layer digest '" + d + "' is not algorithm:hex, refusing to collect layers");
      }
      out.add(d.substring(colon + 1));
    }
    return out;
  }

  private static Layer layer(RepositoryClient client, DirectoryEntry dir) throws IOException {
    long newest = dir.mtimeSeconds();
    String meta = dir.path() + "/.metadata";
    boolean converted = exists(client, meta + "/layers.json");
    if (exists(client, meta)) {
      newest = Math.max(newest, client.lookup(meta).mtimeSeconds());
      for (DirectoryEntry m : client.list(meta)) {
        newest = Math.max(newest, m.mtimeSeconds());
      }
    }
    long size = 0;
    Deque<String> todo = new ArrayDeque<>(List.of(dir.path()));
    while (!todo.isEmpty()) {
      for (DirectoryEntry e : client.list(todo.pop())) {
        if (e.isDirectory()) {
          todo.push(e.path());
        } else if (e.isRegular()) {
          size += e.sizeBytes();
        }
      }
    }
    return new Layer(dir.name(), dir.path(), newest, size, converted);
  }

  private static boolean exists(RepositoryClient client, String path) throws IOException {
    try {
      client.lookup(path);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static byte[] read(RepositoryClient client, String path) throws IOException {
    try (InputStream in = client.open(path)) {
      byte[] b = in.readNBytes((int) MAX_JSON_BYTES + 1);
      if (b.length > MAX_JSON_BYTES) {
        throw new IOException(path + ": more than " + MAX_JSON_BYTES + " bytes");
      }
      return b;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
