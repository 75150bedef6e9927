package io.cvmfsthin.thinimage.layer;

import com.github.luben.zstd.ZstdInputStream;
import io.cvmfsthin.thinimage.image.Descriptor;
import io.cvmfsthin.thinimage.reference.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One layer blob opened for reading as an uncompressed tar, verified while it streams.
 *
 * <p>Read the tar from {@link #tar()} (any amount), then call {@link #finish()}: it reads what is
 * left of both streams and checks the blob's size and digest against the descriptor and the
 * uncompressed digest against the config's {@code diff_id}. Nothing read from {@link #tar()} may be
 * kept as valid before {@code finish()} returned. Owns the blob stream; close it.
 */
public final class LayerStream implements AutoCloseable {
  private static final int BUFFER = 128 * 1024;

  private final String where;
  private final Descriptor descriptor;
  private final Digest diffId;
  private final DigestingInputStream blob;
  private final DigestingInputStream tar;
  private final LayerCompression compression;

  private LayerStream(
      String where,
      Descriptor descriptor,
      Digest diffId,
      DigestingInputStream blob,
      DigestingInputStream tar,
      LayerCompression compression) {
    this.where = where;
    this.descriptor = descriptor;
    this.diffId = diffId;
    this.blob = blob;
    this.tar = tar;
    this.compression = compression;
  }

  /**
   * Opens {@code in} (the blob's bytes) as a layer.
   *
   * @param where names the layer in errors, e.g. {@code layer 2 sha256:ab12… of image x}
   * @param diffId the config's {@code rootfs.diff_ids} entry for this layer
   * @throws LayerFormatException for an unknown media type or a corrupt compressed header
   */
  public static LayerStream open(InputStream in, Descriptor descriptor, Digest diffId, String where)
      throws IOException {
    LayerCompression.checkMediaType(descriptor.mediaType(), where);
    DigestingInputStream blob =
        new DigestingInputStream(in, where + " blob", descriptor.sizeBytes());
    BufferedInputStream buffered = new BufferedInputStream(blob, BUFFER);
    buffered.mark(4);
    byte[] head = buffered.readNBytes(4);
    buffered.reset();
    LayerCompression compression = LayerCompression.detect(head, head.length);
    InputStream plain;
    try {
      plain =
          switch (compression) {
            case GZIP -> new GZIPInputStream(buffered, BUFFER);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(buffered), BUFFER);
            case NONE -> buffered;
          };
    } catch (ZipException e) {
      throw new LayerFormatException(where + ": not a valid gzip stream: " + e.getMessage(), e);
    }
    DigestingInputStream tar = new DigestingInputStream(plain, where + " tar", -1);
    return new LayerStream(where, descriptor, diffId, blob, tar, compression);
  }

  /** The uncompressed tar. */
  public InputStream tar() {
    return tar;
  }

  public LayerCompression compression() {
    return compression;
  }

  /** Compressed bytes read so far. */
  public long blobBytes() {
    return blob.count();
  }

  /** Uncompressed bytes read so far. */
  public long tarBytes() {
    return tar.count();
  }

  /**
   * Reads the rest and verifies: blob size and digest, then diff_id.
   *
   * @throws DigestMismatchException naming the layer, the expected and the actual digest
   * @throws LayerFormatException if the compressed stream is corrupt
   */
  public void finish() throws IOException {
    try {
      tar.drain();
      blob.drain(); // trailing bytes after the compressed stream still count for the digest
    } catch (ZipException e) {
      throw new LayerFormatException(where + ": corrupt gzip stream: " + e.getMessage(), e);
    } catch (IOException e) {
      if (e instanceof DigestMismatchException) {
        throw e;
      }
      if (compression == LayerCompression.ZSTD && e.getClass().getName().contains("Zstd")) {
        throw new LayerFormatException(where + ": corrupt zstd stream: " + e.getMessage(), e);
      }
      throw e;
    }
    blob.verify(descriptor.digest());
    Digest actual = tar.digest();
    if (!actual.equals(diffId)) {
      throw new DigestMismatchException(
          where
              + ": diff_id mismatch, the config says "
              + diffId
              + " but the uncompressed layer hashes to "
              + actual);
    }
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
