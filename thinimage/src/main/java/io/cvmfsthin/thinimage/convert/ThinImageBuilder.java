package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.image.ContainerConfig;
import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.image.ImageConfig;
import io.cvmfsthin.thinimage.image.ImageManifest;
import io.cvmfsthin.thinimage.image.MediaTypes;
import io.cvmfsthin.thinimage.image.json.ImageJson;
import io.cvmfsthin.thinimage.reference.Digest;
import io.cvmfsthin.thinimage.thin.ThinDescriptorWriter;
import io.cvmfsthin.thinimage.thin.ThinImage;
import io.cvmfsthin.thinimage.thin.ThinLayer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Builds the thin image (thin-image.md §1.6, §3.3) as bytes: a deterministic {@code thin.json}, a
 * one-entry tar of it, that tar gzipped reproducibly, the carried-over config and the manifest. The
 * same source and layout always give the same bytes, so converting again yields the same manifest
 * digest.
 */
public final class ThinImageBuilder {
  public static final String LABEL_VERSION = "org.cernvm.thin.version";
  public static final String LABEL_ORIGIN = "org.cernvm.thin.origin";
  public static final String LABEL_SOURCE_DIGEST = "org.cernvm.thin.source-digest";
  public static final String CVMFS_IMAGE_ENV = "CVMFS_IMAGE=true";

  private ThinImageBuilder() {}

  /** Everything to push. */
  public record ThinImageBlobs(
      byte[] thinJson,
      byte[] layerTar,
      byte[] layerBlob,
      byte[] config,
      byte[] manifest,
      String manifestMediaType) {
    public Digest manifestDigest() {
      return Digest.of(manifest);
    }

    public Digest configDigest() {
      return Digest.of(config);
    }

    public Digest layerDigest() {
      return Digest.of(layerBlob);
    }
  }

  /**
   * @param source the source image's config
   * @param sourceManifest the source manifest's digest (a provenance label)
   * @param origin the descriptor's origin (DUCC form)
   * @param layers the real layers, bottom-first
   * @param oci write an OCI manifest and media types instead of Docker schema 2
   */
  public static ThinImageBlobs build(
      ImageConfig source,
      Digest sourceManifest,
      String origin,
      List<ThinLayer> layers,
      boolean oci) {
    byte[] thinJson = ThinDescriptorWriter.write(new ThinImage("1.0", null, origin, layers, null));
    byte[] tar = tarOf(thinJson, mtimeSeconds(source.created()));
    byte[] blob = gzip(tar);

    TreeMap<String, String> labels = new TreeMap<>();
    labels.put(LABEL_VERSION, "1.0");
    labels.put(LABEL_ORIGIN, origin);
    labels.put(LABEL_SOURCE_DIGEST, sourceManifest.toString());
    ContainerConfig runtime = source.config().withEnvDefault(CVMFS_IMAGE_ENV).withLabels(labels);
    ImageConfig thin =
        new ImageConfig(
            source.created(),
            source.os(),
            source.architecture(),
            source.variant(),
            runtime,
            List.of(Digest.of(tar)));
    byte[] config = ImageJson.writeConfig(thin, "cvmfs-thin convert " + origin);

    String manifestType = oci ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
    ImageManifest manifest =
        new ImageManifest(
            manifestType,
            Descriptor.of(
                oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG,
                Digest.of(config),
                config.length),
            List.of(
                Descriptor.of(
                    oci ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.DOCKER_LAYER_GZIP,
                    Digest.of(blob),
                    blob.length)));
    return new ThinImageBlobs(
        thinJson, tar, blob, config, ImageJson.writeManifest(manifest), manifestType);
  }

  /** The config's {@code created} as epoch seconds, or 0 if absent or unparseable. */
  static long mtimeSeconds(String created) {
    if (created == null || created.isEmpty()) {
      return 0;
    }
    try {
      return Math.max(0, OffsetDateTime.parse(created).toEpochSecond());
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  /** ustar, one entry {@code thin.json}, 0644, uid/gid 0, no names, 512-byte records. */
  public static byte[] tarOf(byte[] thinJson, long mtimeSeconds) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(out, 512, StandardCharsets.UTF_8.name())) {
      TarArchiveEntry e = new TarArchiveEntry("thin.json");
      e.setMode(0100644);
      e.setUserId(0);
      e.setGroupId(0);
      e.setUserName("");
      e.setGroupName("");
      e.setModTime(mtimeSeconds * 1000);
      e.setSize(thinJson.length);
      tar.putArchiveEntry(e);
      tar.write(thinJson);
      tar.closeArchiveEntry();
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("writing a tar to memory failed", e);
    }
    return out.toByteArray();
  }

  /** gzip at the default level with a fixed header (no name, mtime 0). */
  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip to memory failed", e);
    }
    return out.toByteArray();
  }
}
