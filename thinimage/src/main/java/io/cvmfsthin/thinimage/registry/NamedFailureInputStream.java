package io.cvmfsthin.thinimage.registry;

import io.cvmfsthin.cvmfs.object.CountingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Adds which blob and how many bytes in to a read failure (a registry gone mid-download). */
final class NamedFailureInputStream extends FilterInputStream {
  private final CountingInputStream counted;
  private final String what;

  NamedFailureInputStream(InputStream in, String what) {
    this(new CountingInputStream(in), what);
  }

  private NamedFailureInputStream(CountingInputStream counted, String what) {
    super(counted);
    this.counted = counted;
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    try {
      return in.read();
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return in.read(b, off, len);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private IOException failed(IOException e) {
    return new IOException(
        what + ": download broke off after " + counted.count() + " bytes: " + e.getMessage(), e);
  }
}
