package io.cvmfsthin.thinimage.registry;

import io.cvmfsthin.thinimage.reference.Digest;

/**
 * A manifest as the registry served it.
 *
 * @param bytes the exact bytes (their sha256 is the manifest digest)
 * @param contentType the response's Content-Type
 * @param digest sha256 of {@code bytes}
 */
public record ManifestResponse(byte[] bytes, String contentType, Digest digest) {}
