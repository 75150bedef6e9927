package io.cvmfsthin.thinimage.image;

import java.util.Locale;

/**
 * An image platform, {@code os/architecture[/variant]} in OCI's names.
 *
 * @param os e.g. {@code linux}
 * @param architecture e.g. {@code amd64}, {@code arm64}
 * @param variant e.g. {@code v8}, or empty
 */
public record Platform(String os, String architecture, String variant) {
  /** DUCC's choice when nothing else is known. */
  public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", "");

  public Platform {
    if (os == null || os.isEmpty() || architecture == null || architecture.isEmpty()) {
      throw new IllegalArgumentException("platform needs an os and an architecture");
    }
    variant = variant == null ? "" : variant;
  }

  /** Parses {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
  public static Platform parse(String text) {
    String[] parts = text == null ? new String[0] : text.split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException(
          "platform '" + text + "' is not os/architecture[/variant]");
    }
    for (String p : parts) {
      if (!p.matches("[a-z0-9._-]+")) {
        throw new IllegalArgumentException(
            "platform '" + text + "': '" + p + "' is not a lowercase name");
      }
    }
    return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
  }

  /**
   * The platform of a JVM's {@code os.name}/{@code os.arch}, mapped to OCI names; an unknown or
   * non-Linux host gives {@link #LINUX_AMD64} (images are Linux images).
   */
  public static Platform ofJvm(String osName, String osArch) {
    if (osName == null || !osName.toLowerCase(Locale.ROOT).contains("linux")) {
      return LINUX_AMD64;
    }
    return switch (osArch == null ? "" : osArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> LINUX_AMD64;
      case "aarch64", "arm64" -> new Platform("linux", "arm64", "");
      case "arm", "armv7l" -> new Platform("linux", "arm", "v7");
      case "ppc64le" -> new Platform("linux", "ppc64le", "");
      case "s390x" -> new Platform("linux", "s390x", "");
      case "riscv64" -> new Platform("linux", "riscv64", "");
      case "x86", "i386", "i686" -> new Platform("linux", "386", "");
      default -> LINUX_AMD64;
    };
  }

  /**
   * Whether an image of platform {@code candidate} serves a host that wants this platform. An empty
   * wanted variant accepts any; {@code arm64} without variant equals {@code v8}, {@code arm}
   * without variant equals {@code v7} (containerd's normalisation).
   */
  public boolean accepts(Platform candidate) {
    if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) {
      return false;
    }
    return variant.isEmpty() || normalVariant().equals(candidate.normalVariant());
  }

  private String normalVariant() {
    if (!variant.isEmpty()) {
      return variant;
    }
    return switch (architecture) {
      case "arm64" -> "v8";
      case "arm" -> "v7";
      default -> "";
    };
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
