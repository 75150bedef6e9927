package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.image.ImageFormatException;
import io.cvmfsthin.thinimage.image.ImageManifest;
import io.cvmfsthin.thinimage.layer.LayerCompression;
import io.cvmfsthin.thinimage.layer.LayerStream;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.reference.ImageReference;
import io.cvmfsthin.thinimage.registry.BlobSource;
import io.cvmfsthin.thinimage.registry.RegistryClient;
import io.cvmfsthin.thinimage.thin.ThinLayer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts one image: layers into the repository, image metadata last, all in one new revision;
 * then the thin image to the registry.
 *
 * <p>Order and guarantees: the source is resolved and checked (diff_id count, layer media types)
 * before anything is written. Then one repository transaction, one new revision signed once, holds
 * all the image adds: each missing layer as one publication of {@code layerfs} and its {@code
 * .metadata} together, verified (digest, diff_id) before that publication can complete; the {@code
 * origin.json} of each layer already present that does not name this image yet; last the image's
 * {@code manifest.json}, only if it differs. A failure anywhere publishes nothing: the repository
 * keeps serving the revision it had (layers streamed before the failure are downloaded again next
 * time). A layer already complete is skipped without downloading it, as is a layer listed twice.
 * {@code .layers} and {@code .layers/<h2>} become nested catalogs with the first layer that needs
 * them, and later layers of the transaction see them. A layer directory without its metadata (left
 * by an older, interrupted ingest) is replaced. Nothing new means no new revision and the same thin
 * manifest digest.
 *
 * <p>The transaction holds the repository's publish lock from the first look to the signed
 * revision, downloads included: converters of one repository run one after the other, and a layer
 * another converter completed before is seen as present and skipped.
 */
public final class Converter {
  private static final Logger log = LoggerFactory.getLogger(Converter.class);

  private final LayerRepository repository;
  private final RegistryClient registry; // for pushing the thin image; may be null if not pushing
  private final Clock clock;
  private final ConvertListener listener;

  public Converter(
      LayerRepository repository, RegistryClient registry, Clock clock, ConvertListener listener) {
    this.repository = repository;
    this.registry = registry;
    this.clock = clock;
    this.listener = listener;
  }

  /**
   * Converts {@code source}; pushes the thin image to {@code target} (the default name if null).
   *
   * @throws ImageFormatException for an unusable image
   * @throws IOException for failed downloads, verification (digest, diff_id), publishing or push
   */
  public ConvertResult convert(ImageSource source, ImageReference target, ConvertOptions options)
      throws IOException {
    Instant started = clock.instant();
    return convert(source, resolve(source), target, options, started);
  }

  /**
   * Reads and checks the source's manifest and config (diff_id count, layer media types): what a
   * caller does before it creates anything for the conversion, so that an unreachable registry, an
   * unreadable archive or an unusable image leaves nothing behind.
   *
   * @throws ImageFormatException for an unusable image
   * @throws IOException for an unreachable or unreadable source
   */
  public static SourceImage resolve(ImageSource source) throws IOException {
    SourceImage image = source.resolve();
    check(image, source);
    return image;
  }

  /**
   * As {@link #convert(ImageSource, ImageReference, ConvertOptions)} of an image {@link #resolve}d.
   */
  public ConvertResult convert(
      ImageSource source, SourceImage image, ImageReference target, ConvertOptions options)
      throws IOException {
    return convert(source, image, target, options, clock.instant());
  }

  private ConvertResult convert(
      ImageSource source,
      SourceImage image,
      ImageReference target,
      ConvertOptions options,
      Instant started)
      throws IOException {
    ImageReference name = image.name();
    if (target == null && options.pushThinImage()) {
      if (name == null) {
        throw new IllegalArgumentException(
            source.describe() + " has no image name; give TARGET explicitly");
      }
      target = TargetNames.defaultTarget(name);
    }
    if (target != null
        && name != null
        && target.name().equals(name.name())
        && java.util.Objects.equals(target.tag(), name.tag())) {
      throw new IllegalArgumentException(
          "TARGET "
              + target
              + " is the source image itself; a thin image never replaces its"
              + " source");
    }
    List<Descriptor> layers = image.manifest().layers();
    log.info(
        "converting {} ({} layers, manifest {}) into {}",
        source.describe(),
        layers.size(),
        image.manifestDigest().shortForm(),
        repository.fqrn());

    Totals totals = new Totals();
    LayerRepository.Revisions revisions =
        repository.transaction(
            txn -> {
              for (int i = 0; i < layers.size(); i++) {
                Descriptor layer = layers.get(i);
                listener.layerStarted(i, layers.size(), layer);
                boolean skipped = ingest(txn, source, image, i, totals);
                listener.layerDone(i, layers.size(), layer, skipped);
              }
              writeImageMetadata(txn, image, source);
            });
    List<ThinLayer> thinLayers = new ArrayList<>();
    for (Descriptor layer : layers) {
      thinLayers.add(
          new ThinLayer(layer.digest().hex(), LayerLayout.url(repository.fqrn(), layer.digest())));
    }

    ThinImageBuilder.ThinImageBlobs thin =
        ThinImageBuilder.build(
            image.config(),
            image.manifestDigest(),
            image.origin(),
            thinLayers,
            options.ociManifest());
    if (options.pushThinImage()) {
      push(thin, target);
    }
    ConvertResult result =
        new ConvertResult(
            options.pushThinImage() ? target : null,
            thin.manifestDigest(),
            thin.thinJson(),
            totals.fresh,
            totals.skipped,
            totals.files,
            totals.sourceBytes,
            totals.uncompressedBytes,
            revisions.storedBytes(),
            revisions.before(),
            revisions.after(),
            Duration.between(started, clock.instant()));
    log.info("{}", result.summaryLine());
    return result;
  }

  private static void check(SourceImage image, ImageSource source) throws IOException {
    ImageManifest m = image.manifest();
    if (m.layers().size() != image.config().diffIds().size()) {
      throw new ImageFormatException(
          source.describe()
              + ": the manifest has "
              + m.layers().size()
              + " layers but the config lists "
              + image.config().diffIds().size()
              + " diff_ids");
    }
    if (m.layers().size() > io.cvmfsthin.thinimage.thin.ThinImage.MAX_LAYERS) {
      throw new ImageFormatException(
          source.describe()
              + ": "
              + m.layers().size()
              + " layers, more than a thin image can"
              + " stack ("
              + io.cvmfsthin.thinimage.thin.ThinImage.MAX_LAYERS
              + ")");
    }
    for (int i = 0; i < m.layers().size(); i++) {
      LayerCompression.checkMediaType(
          m.layers().get(i).mediaType(), source.describe() + " layer " + i);
    }
  }

  private static final class Totals {
    int fresh;
    int skipped;
    long files;
    long sourceBytes;
    long uncompressedBytes;
  }

  /**
   * Publishes layer {@code i} in the transaction unless complete already; returns whether it was
   * skipped.
   */
  private boolean ingest(
      LayerRepository.Transaction txn, ImageSource source, SourceImage image, int i, Totals totals)
      throws IOException {
    Descriptor layer = image.manifest().layers().get(i);
    Digest digest = layer.digest();
    Digest diffId = image.config().diffIds().get(i);
    String where = "layer " + i + " " + digest.shortForm() + " of " + source.describe();
    if (txn.exists(LayerLayout.layerCompleteMarker(digest))) {
      addOrigin(txn, digest, image.configDigest());
      totals.skipped++;
      log.info("{}: present, skipped", where);
      return true;
    }
    boolean halfMade = txn.exists(LayerLayout.layerDir(digest));
    if (halfMade) {
      log.warn(
          "{}: {} exists without metadata (an interrupted ingest); replacing it",
          where,
          LayerLayout.layerDir(digest));
    }
    // one publication per layer, starting at the highest directory still missing, so that the
    // .layers and .layers/<h2> catalogs come with the first layer that needs them
    String publishAt = LayerLayout.layerDir(digest);
    String prefix = "";
    List<String> catalogDirs = new ArrayList<>();
    boolean nested = false;
    if (!txn.exists(LayerLayout.LAYERS)) {
      publishAt = LayerLayout.LAYERS;
      prefix = digest.fanOut() + "/" + digest.hex() + "/";
      catalogDirs.add(digest.fanOut() + "/");
      nested = true;
    } else if (!txn.exists(LayerLayout.fanOutDir(digest))) {
      publishAt = LayerLayout.fanOutDir(digest);
      prefix = digest.hex() + "/";
      nested = true;
    }
    int index = i;
    long total = layer.sizeBytes();
    try (LayerEntries tar =
        new LayerEntries(
            where,
            prefix,
            catalogDirs,
            () -> LayerStream.open(source.openBlob(layer), layer, diffId, where),
            (verified, entries) -> metadataFiles(image, layer, diffId, verified),
            bytes -> listener.layerProgress(index, bytes, total))) {
      boolean published = txn.publish(publishAt, tar, nested, !halfMade);
      LayerStream read = tar.layer();
      if (!published || read == null) {
        // the transaction holds the publish lock: nothing appears between its look and its publish
        throw new IllegalStateException(
            where + ": " + publishAt + " was absent and then present within one transaction");
      }
      totals.fresh++;
      totals.files += tar.entries();
      totals.sourceBytes += read.blobBytes();
      totals.uncompressedBytes += read.tarBytes();
      log.info(
          "{}: written ({} entries, {} compressed, {} uncompressed, {})",
          where,
          tar.entries(),
          Bytes.human(read.blobBytes()),
          Bytes.human(read.tarBytes()),
          read.compression());
      return false;
    }
  }

  private Map<String, byte[]> metadataFiles(
      SourceImage image, Descriptor layer, Digest diffId, LayerStream verified) {
    LayerMetadata.Facts facts =
        new LayerMetadata.Facts(
            layer.digest(),
            diffId,
            layer.mediaType(),
            verified.blobBytes(),
            verified.tarBytes(),
            image.config().created(),
            image.origin());
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("layers.json", LayerMetadata.layersJson(facts));
    files.put("origin.json", LayerMetadata.originJson(List.of(image.configDigest())));
    files.put("layer.json", LayerMetadata.layerJson(facts));
    return files;
  }

  /** Adds the image's config digest to a present layer's origin.json (DUCC keeps that list). */
  private void addOrigin(LayerRepository.Transaction txn, Digest layer, Digest config)
      throws IOException {
    String dir = LayerLayout.layerMetadataDir(layer);
    List<Digest> origins =
        new ArrayList<>(
            txn.read(dir + "/origin.json").map(LayerMetadata::parseOrigin).orElse(List.of()));
    if (origins.contains(config)) {
      return;
    }
    origins.add(config);
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String keep : new String[] {"layers.json", "layer.json"}) {
      Optional<byte[]> b = txn.read(dir + "/" + keep);
      b.ifPresent(bytes -> files.put(keep, bytes));
    }
    files.put("origin.json", LayerMetadata.originJson(origins));
    txn.publish(dir, smallTar(files), false, false);
  }

  /** {@code .metadata/<registry>/<repository>:<tag>/manifest.json}, the "converted" fact. */
  private void writeImageMetadata(
      LayerRepository.Transaction txn, SourceImage image, ImageSource source) throws IOException {
    if (image.name() == null) {
      log.info("{} has no image name; no .metadata entry written", source.describe());
      return;
    }
    String dir = LayerLayout.imageMetadataDir(image.name());
    Optional<byte[]> existing = txn.read(dir + "/manifest.json");
    if (existing.isPresent() && Arrays.equals(existing.get(), image.manifestBytes())) {
      return;
    }
    txn.publish(dir, smallTar(Map.of("manifest.json", image.manifestBytes())), false, false);
    log.info("wrote {}/manifest.json", dir);
  }

  private void push(ThinImageBuilder.ThinImageBlobs thin, ImageReference target)
      throws IOException {
    if (registry == null) {
      throw new IllegalStateException("pushing needs a registry client");
    }
    Optional<Digest> current = registry.headManifest(target, target.manifestReference());
    if (current.isPresent() && current.get().equals(thin.manifestDigest())) {
      log.info("thin image {} is already {}, nothing pushed", target, thin.manifestDigest());
      return;
    }
    registry.pushBlob(
        target, thin.layerDigest(), thin.layerBlob().length, BlobSource.of(thin.layerBlob()));
    registry.pushBlob(
        target, thin.configDigest(), thin.config().length, BlobSource.of(thin.config()));
    registry.putManifest(
        target, target.manifestReference(), thin.manifestMediaType(), thin.manifest());
  }

  /** A small tar of files at its top (sorted by name), deterministic. */
  static InputStream smallTar(Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(out, 512, StandardCharsets.UTF_8.name())) {
      TarArchiveEntry root = new TarArchiveEntry("./", TarArchiveEntry.LF_DIR);
      root.setMode(040755);
      root.setModTime(0);
      tar.putArchiveEntry(root);
      tar.closeArchiveEntry();
      for (Map.Entry<String, byte[]> f : new java.util.TreeMap<>(files).entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setMode(0100644);
        e.setModTime(0);
        e.setSize(f.getValue().length);
        tar.putArchiveEntry(e);
        tar.write(f.getValue());
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
    return new java.io.ByteArrayInputStream(out.toByteArray());
  }
}
