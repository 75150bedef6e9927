package io.cvmfsthin.thinimage.reference;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A reference to an image in a registry, normalised the way {@code docker pull} does it: no
 * registry means {@code docker.io}, a one-component Docker Hub name gets {@code library/}, no tag
 * and no digest means {@code latest}.
 *
 * @param registry host[:port] as typed (lowercase), e.g. {@code docker.io}, {@code 127.0.0.1:5000}
 * @param repository the repository path, e.g. {@code library/ubuntu}
 * @param tag the tag, or {@code null} when only a digest was given
 * @param digest the pinned manifest digest, or {@code null}
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
  /** Docker Hub's name as users write it. */
  public static final String DOCKER_HUB = "docker.io";

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern HOST =
      Pattern.compile(
          "(?:[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9-]+)*"
              + "|\\[[0-9a-fA-F:.]+\\]");

  public ImageReference {
    if (registry == null || registry.isEmpty()) {
      throw new IllegalArgumentException("registry missing");
    }
    if (repository == null || repository.isEmpty()) {
      throw new IllegalArgumentException("repository missing");
    }
    for (String component : repository.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException(
            "repository "
                + Shorten.of(repository)
                + ": component '"
                + component
                + "' is not lowercase letters, digits and separators");
      }
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("tag " + Shorten.of(tag) + " is not a valid tag");
    }
    if (tag == null && digest == null) {
      throw new IllegalArgumentException("neither tag nor digest");
    }
  }

  /**
   * Parses a reference as {@code docker pull} takes it: {@code
   * [registry/]repository[:tag][@digest]}. A leading {@code http://} or {@code https://} (DUCC's
   * form) is accepted and dropped.
   *
   * @throws IllegalArgumentException naming the value and what is wrong
   */
  public static ImageReference parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty image reference");
    }
    String rest = text.strip();
    for (String scheme : new String[] {"https://", "http://"}) {
      if (rest.startsWith(scheme)) {
        rest = rest.substring(scheme.length());
      }
    }
    try {
      Digest digest = null;
      int at = rest.indexOf('@');
      if (at >= 0) {
        digest = Digest.parse(rest.substring(at + 1));
        rest = rest.substring(0, at);
      }
      String registry = DOCKER_HUB;
      int slash = rest.indexOf('/');
      if (slash > 0) {
        String first = rest.substring(0, slash);
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
          registry = checkHost(first);
          rest = rest.substring(slash + 1);
        }
      }
      String tag = null;
      int colon = rest.lastIndexOf(':');
      if (colon > rest.lastIndexOf('/')) {
        tag = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
      if (registry.equals("index.docker.io")
          || registry.equals("registry-1.docker.io")
          || registry.equals("registry.hub.docker.com")) {
        registry = DOCKER_HUB;
      }
      if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
        rest = "library/" + rest;
      }
      if (tag == null && digest == null) {
        tag = "latest";
      }
      return new ImageReference(registry, rest, tag, digest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "image reference " + Shorten.of(text) + ": " + e.getMessage(), e);
    }
  }

  private static String checkHost(String hostPort) {
    String host = hostPort;
    int colon = hostPort.lastIndexOf(':');
    if (colon > hostPort.lastIndexOf(']')) {
      String port = hostPort.substring(colon + 1);
      if (!port.matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException("registry port '" + port + "' is not a number");
      }
      host = hostPort.substring(0, colon);
    }
    if (!HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("registry '" + hostPort + "' is not a host name");
    }
    return hostPort.toLowerCase(java.util.Locale.ROOT);
  }

  /** The host name without port and brackets. */
  public String host() {
    String host = registry;
    int colon = registry.lastIndexOf(':');
    if (colon > registry.lastIndexOf(']')) {
      host = registry.substring(0, colon);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return host;
  }

  /** Where the registry API lives: Docker Hub's API host differs from its name. */
  public String apiHost() {
    return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
  }

  /** The manifest reference for the API: the digest when pinned, else the tag. */
  public String manifestReference() {
    return digest != null ? digest.toString() : tag;
  }

  public Optional<String> tagIfAny() {
    return Optional.ofNullable(tag);
  }

  /** The same repository with another tag and no digest. */
  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag, null);
  }

  /** The same registry with another repository, same tag and digest. */
  public ImageReference withRepository(String newRepository) {
    return new ImageReference(registry, newRepository, tag, digest);
  }

  /** {@code registry/repository}, the name a {@code .metadata} directory is keyed by. */
  public String name() {
    return registry + "/" + repository;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name());
    if (tag != null) {
      sb.append(':').append(tag);
    }
    if (digest != null) {
      sb.append('@').append(digest);
    }
    return sb.toString();
  }
}
