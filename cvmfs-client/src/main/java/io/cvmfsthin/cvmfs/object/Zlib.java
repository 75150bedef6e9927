package io.cvmfsthin.cvmfs.object;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The zlib (RFC 1950) container CernVM-FS uses for objects: {@code deflateInit(level 6)} on the way
 * out, a capped inflater on the way in so that no object can inflate without bound.
 */
public final class Zlib {
  private Zlib() {}

  /** Compresses a whole (small) byte array: catalogs, certificates, history databases. */
  public static byte[] compress(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
    try (OutputStream z = compressing(out)) {
      z.write(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory deflate failed", e);
    }
    return out.toByteArray();
  }

  /** A stream that deflates into {@code out} at zlib's default level; closing it closes out. */
  public static OutputStream compressing(OutputStream out) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    return new DeflaterOutputStream(out, deflater, 64 * 1024) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          deflater.end();
        }
      }
    };
  }

  /**
   * Inflates {@code compressed}; reading more than {@code maxBytes} inflated bytes fails with
   * {@link DecompressionLimitException}, and a truncated stream with {@link EOFException}.
   */
  public static InputStream inflating(InputStream compressed, long maxBytes) {
    Inflater inflater = new Inflater();
    InputStream inflating =
        new InflaterInputStream(compressed, inflater, 64 * 1024) {
          @Override
          public void close() throws IOException {
            try {
              super.close();
            } finally {
              inflater.end();
            }
          }
        };
    return new CountingInputStream(inflating, maxBytes, DecompressionLimitException::new);
  }

  /** Inflates a whole byte array with a cap. */
  public static byte[] inflate(byte[] compressed, long maxBytes) throws IOException {
    try (InputStream in = inflating(new java.io.ByteArrayInputStream(compressed), maxBytes)) {
      return in.readAllBytes();
    }
  }
}
