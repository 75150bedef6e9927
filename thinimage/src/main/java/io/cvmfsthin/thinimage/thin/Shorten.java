package io.cvmfsthin.thinimage.thin;

/** Shortens values shown in error messages. */
final class Shorten {
  private Shorten() {}

  static String of(String value) {
    if (value == null) {
      return "(none)";
    }
    return value.length() <= 80 ? "\"" + value + "\"" : "\"" + value.substring(0, 77) + "...\"";
  }
}
