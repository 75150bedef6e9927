package io.cvmfsthin.plugin.cri;

import io.cvmfsthin.plugin.cri.proto.Image;
import java.util.List;

/**
 * An image as the runtime's CRI image service reports it.
 *
 * @param id the runtime's image ID (for containerd the config digest, {@code sha256:...})
 * @param repoTags references by tag, e.g. {@code 127.0.0.1:5000/app:1}
 * @param repoDigests references by manifest digest, e.g. {@code 127.0.0.1:5000/app@sha256:...}
 * @param sizeBytes the image's size as the runtime counts it
 */
public record CriImage(String id, List<String> repoTags, List<String> repoDigests, long sizeBytes) {
  public CriImage {
    repoTags = List.copyOf(repoTags);
    repoDigests = List.copyOf(repoDigests);
  }

  static CriImage of(Image wire) {
    return new CriImage(
        wire.getId(), wire.getRepoTagsList(), wire.getRepoDigestsList(), wire.getSize());
  }
}
