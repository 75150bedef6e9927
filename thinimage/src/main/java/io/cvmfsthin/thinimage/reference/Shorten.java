package io.cvmfsthin.thinimage.reference;

/** Shortens values quoted in error messages. */
final class Shorten {
  private Shorten() {}

  static String of(String value) {
    if (value == null) {
      return "(null)";
    }
    return value.length() <= 80 ? "'" + value + "'" : "'" + value.substring(0, 77) + "...'";
  }
}
