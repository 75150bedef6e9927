package io.cvmfsthin.thinimage.convert;

/** Shortens values quoted in messages. */
final class Names {
  private Names() {}

  static String shorten(String s) {
    if (s == null) {
      return "(null)";
    }
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
