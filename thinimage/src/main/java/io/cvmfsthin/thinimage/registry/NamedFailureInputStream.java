package io.cvmfsthin.thinimage.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Adds which blob and how many bytes in to a read failure (a registry gone mid-download). */
final class NamedFailureInputStream extends FilterInputStream {
  private final String what;
  private long count;

  NamedFailureInputStream(InputStream in, String what) {
    super(in);
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    try {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private IOException failed(IOException e) {
    return new IOException(
        what + ": download broke off after " + count + " bytes: " + e.getMessage(), e);
  }
}
