package io.cvmfsthin.cvmfs.catalog;

/** The file type of an entry, as its {@code st_mode} type bits say. */
public enum EntryKind {
  REGULAR(0100000, 'f'),
  DIRECTORY(0040000, 'd'),
  SYMLINK(0120000, 'l'),
  FIFO(0010000, 'p'),
  SOCKET(0140000, 's'),
  CHAR_DEVICE(0020000, 'c'),
  BLOCK_DEVICE(0060000, 'b');

  private static final EntryKind[] ALL = values(); // values() copies the array each call

  /** The type bits of {@code st_mode}. */
  public static final int TYPE_MASK = 0170000;

  private final int typeBits;
  private final char letter;

  EntryKind(int typeBits, char letter) {
    this.typeBits = typeBits;
    this.letter = letter;
  }

  public int typeBits() {
    return typeBits;
  }

  /** One letter as {@code find -printf %y} prints it: f d l p s c b. */
  public char letter() {
    return letter;
  }

  public boolean isDevice() {
    return this == CHAR_DEVICE || this == BLOCK_DEVICE;
  }

  public boolean isSpecial() {
    return this == FIFO || this == SOCKET || isDevice();
  }

  public static EntryKind fromMode(int mode) {
    int t = mode & TYPE_MASK;
    for (EntryKind k : ALL) {
      if (k.typeBits == t) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown file type in mode 0" + Integer.toOctalString(mode));
  }
}
