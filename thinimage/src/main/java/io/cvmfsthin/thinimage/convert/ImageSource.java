package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.thinimage.image.Descriptor;
import java.io.IOException;
import java.io.InputStream;

/** Where an image comes from: a registry, a {@code docker save} tarball, an OCI layout. */
public interface ImageSource extends AutoCloseable {
  /** Reads manifest (resolving an index to one platform) and config, and checks them. */
  SourceImage resolve() throws IOException;

  /** Opens a blob of the resolved image; the caller verifies and closes it. */
  InputStream openBlob(Descriptor blob) throws IOException;

  /** What this source is, for messages. */
  String describe();

  @Override
  default void close() throws IOException {}
}
