package io.cvmfsthin.driver;

import io.cvmfsthin.driver.archive.DiffReader;
import io.cvmfsthin.driver.archive.Symlinks;
import io.cvmfsthin.driver.archive.Xattrs;
import io.cvmfsthin.driver.commit.CommitPublisher;
import io.cvmfsthin.driver.store.LayerStore;
import io.cvmfsthin.thinimage.convert.LayerLayout;
import io.cvmfsthin.thinimage.convert.ThinImageBuilder;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.thin.ThinDescriptorException;
import io.cvmfsthin.thinimage.thin.ThinDescriptorReader;
import io.cvmfsthin.thinimage.thin.ThinDescriptorWriter;
import io.cvmfsthin.thinimage.thin.ThinImage;
import io.cvmfsthin.thinimage.thin.ThinLayer;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits above a thin image become thin layers (thin-image.md §6.3). dockerd commits a container
 * (and every classic-builder step) as {@code Diff(M, M-init)} and stores what comes back as the new
 * image layer; it never calls Diff for image layers, and it re-reads image layers for push and save
 * through Get (plugin spec §5, §13.3). So the whole commit happens here: every ordinary layer
 * between the thin ancestor T and M (the {@code -init} layer excepted) is turned into a
 * deterministic uncompressed tar with OCI whiteouts, keyed by its sha256 (its diff_id), published
 * once into {@code .layers/<h2>/<diff_id>/layerfs}, and appended to T's descriptor. The returned
 * tar holds only the extended {@code thin.json}, so the committed image is thin: its new layer is a
 * few hundred bytes, and the top-most thin layer describes the whole image (§5.2.6).
 *
 * <p>Repeated commits of the same upper dir produce the same tars, hence the same keys: nothing is
 * published again and the same {@code thin.json} bytes come back.
 */
final class ThinCommits {
  private static final Logger log = LoggerFactory.getLogger(ThinCommits.class);
  private static final String INIT_SUFFIX = "-init";

  private final LayerStore store;
  private final RepositoryMounts repositories;
  private final CommitPublisher publisher;
  private final Duration visibleWithin;
  private final Xattrs xattrs;
  private final Symlinks symlinks;

  /** With {@link CommitPublisher#NONE}, every layer's diff stays an ordinary tar. */
  ThinCommits(
      LayerStore store,
      RepositoryMounts repositories,
      CommitPublisher publisher,
      Duration visibleWithin,
      Xattrs xattrs,
      Symlinks symlinks) {
    this.store = store;
    this.repositories = repositories;
    this.publisher = publisher;
    this.visibleWithin = visibleWithin;
    this.xattrs = xattrs;
    this.symlinks = symlinks;
  }

  /**
   * The thin ancestor whose descriptor a commit of {@code id} extends, if there is one and commits
   * are published.
   */
  Optional<String> thinAncestor(String id) throws IOException {
    if (publisher == CommitPublisher.NONE) {
      return Optional.empty();
    }
    if (store.thin(id).isPresent()) {
      return Optional.empty(); // a thin layer itself: its diff is its thin.json
    }
    return store.thinParent(id);
  }

  /**
   * A commit whose layers are published: {@link #awaitVisible} waits until this host sees them
   * (refreshing the repository, up to the configured time) and returns the tar of the extended
   * descriptor. The caller waits without holding the layer's lock.
   */
  @FunctionalInterface
  interface Published {
    InputStream awaitVisible() throws IOException;
  }

  /**
   * Publishes the ordinary layers from {@code thinId} (exclusive) up to {@code id} (inclusive); the
   * wait until this host sees them is the returned {@link Published}'s.
   */
  Published commit(String id, String thinId) throws IOException {
    long started = System.nanoTime();
    List<String> chain = new ArrayList<>(); // top first while walking
    String cur = id;
    while (!cur.equals(thinId)) {
      if (!cur.endsWith(INIT_SUFFIX)) {
        chain.add(cur);
      }
      String child = cur;
      cur =
          store
              .parent(cur)
              .orElseThrow(
                  () ->
                      new IOException(
                          "layer "
                              + id
                              + ": thin ancestor "
                              + thinId
                              + " is not below "
                              + child
                              + " in the parent chain"));
    }
    Collections.reverse(chain);
    ThinImage base = descriptor(thinId);
    List<ThinLayer> layers = new ArrayList<>(base.layers());
    if (layers.size() + chain.size() > ThinImage.MAX_LAYERS) {
      throw new ThinDescriptorException(
          "layer "
              + id
              + ": committing would make "
              + (layers.size() + chain.size())
              + " layers, more than a thin image can stack ("
              + ThinImage.MAX_LAYERS
              + ")");
    }
    List<CommitPublisher.LayerTar> tars = new ArrayList<>();
    int published;
    try {
      for (String layer : chain) {
        CommitPublisher.LayerTar tar = tar(id, layer);
        tars.add(tar);
        layers.add(
            new ThinLayer(tar.diffId().hex(), LayerLayout.url(publisher.fqrn(), tar.diffId())));
      }
      published = publisher.publishAbsent(tars);
    } finally {
      for (CommitPublisher.LayerTar tar : tars) {
        Files.deleteIfExists(tar.tar());
      }
    }
    List<String> paths = tars.stream().map(CommitPublisher.LayerTar::path).toList();
    ThinImage next =
        new ThinImage(base.version(), base.minVersion(), base.origin(), layers, base.comment());
    byte[] json = ThinDescriptorWriter.write(next);
    ThinDescriptorReader.read(json, "layer " + id + ": committed thin.json");
    int publishedNow = published;
    return () -> {
      repositories.awaitVisible(publisher.fqrn(), paths, visibleWithin);
      log.info(
          "layer {}: committed as thin layer {} over thin {} ({} layers, {} published now, {} ms)",
          id,
          Digest.of(json).shortForm(),
          thinId,
          next.layers().size(),
          publishedNow,
          (System.nanoTime() - started) / 1_000_000);
      return new ByteArrayInputStream(ThinImageBuilder.tarOf(json, 0));
    };
  }

  private ThinImage descriptor(String thinId) throws IOException {
    Path file = store.diffDir(thinId).resolve(ThinLayers.DESCRIPTOR);
    return ThinDescriptorReader.read(
        Files.readAllBytes(file), "layer " + thinId + ": " + ThinLayers.DESCRIPTOR);
  }

  /** One layer's diff dir as a tar in a scratch file, hashed (removed by the caller). */
  private CommitPublisher.LayerTar tar(String committing, String layer) throws IOException {
    Path tmp = store.newTempFile("commit");
    boolean ok = false;
    try {
      MessageDigest sha = Digest.newSha256();
      long bytes;
      try (InputStream in = new DiffReader(store.diffDir(layer), xattrs, symlinks);
          OutputStream out =
              new DigestOutputStream(
                  new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), sha)) {
        bytes = in.transferTo(out);
      }
      Digest diffId = Digest.of(sha);
      log.info(
          "layer {}: layer {} is {} ({} bytes of tar)",
          committing,
          layer,
          diffId.shortForm(),
          bytes);
      ok = true;
      return new CommitPublisher.LayerTar(LayerLayout.layerFs(diffId), tmp, diffId);
    } finally {
      if (!ok) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
