/*
 * Writes the root file system of one synthetic benchmark image, offline and deterministically:
 *
 *   java GenImage.java ROOTFS SIZE_GIB
 *
 *   ROOTFS/bench/ws/…         the working set: 1,000 files, 5% of 1 GiB in all, the same bytes at
 *                             every image size (its own fixed seed)
 *   ROOTFS/bench/workset.list their paths, one a line, for the task
 *   ROOTFS/data/dNNN/fNNNNNN  filler up to SIZE_GIB in all (a fixed seed, so a smaller image's
 *                             filler is a prefix of a larger one's)
 *
 * File sizes: 70% log-uniform in [512 B, 64 KiB], 30% a Pareto tail from 64 KiB (alpha 1.75), cut
 * at 64 MiB: about 20,000 files per GiB. Content: half the files random bytes, half text-like
 * (words drawn from a small vocabulary, compresses about 3:1). Prints a one-line summary.
 */
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

public final class GenImage {
  private static final long GIB = 1L << 30;
  private static final long KIB = 1024;
  private static final long MAX_FILE = 64 * KIB * KIB;
  private static final int WORKSET_FILES = 1000;
  private static final long WORKSET_BYTES = GIB / 20;
  private static final String[] WORDS =
      ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut"
              + " labore et dolore magna aliqua event track hit cluster vertex jet muon electron"
              + " photon calibration alignment geometry conditions run lumi block trigger")
          .split(" ");

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java GenImage.java ROOTFS SIZE_GIB");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    long total = (long) (Double.parseDouble(args[1]) * GIB);
    Files.createDirectories(root.resolve("bench/ws"));

    SplittableRandom wsRandom = new SplittableRandom(8);
    long[] wsSizes = new long[WORKSET_FILES];
    long sum = 0;
    for (int i = 0; i < WORKSET_FILES; i++) {
      wsSizes[i] = Math.min(fileSize(wsRandom), 4 * KIB * KIB);
      sum += wsSizes[i];
    }
    List<String> list = new ArrayList<>();
    long written = 0;
    for (int i = 0; i < WORKSET_FILES; i++) {
      long size = Math.max(1, wsSizes[i] * WORKSET_BYTES / sum);
      String name = String.format("bench/ws/w%04d", i);
      write(root.resolve(name), size, wsRandom);
      list.add("/" + name);
      written += size;
    }
    Files.write(root.resolve("bench/workset.list"), list);
    long wsWritten = written;

    SplittableRandom random = new SplittableRandom(20);
    int files = 0;
    while (written < total) {
      long size = Math.min(fileSize(random), total - written);
      Path p = root.resolve(String.format("data/d%03d/f%06d", files / 1000, files));
      Files.createDirectories(p.getParent());
      write(p, size, random);
      written += size;
      files++;
    }
    System.out.printf(
        "genimage: %s: %d working-set files (%d bytes) + %d filler files, %d bytes%n",
        root, WORKSET_FILES, wsWritten, files, written);
  }

  private static long fileSize(SplittableRandom r) {
    if (r.nextDouble() < 0.7) {
      return (long) Math.exp(Math.log(512) + r.nextDouble() * (Math.log(64 * KIB) - Math.log(512)));
    }
    double pareto = 64 * KIB * Math.pow(1 - r.nextDouble(), -1 / 1.75);
    return (long) Math.min(pareto, MAX_FILE);
  }

  private static void write(Path p, long size, SplittableRandom r) throws IOException {
    boolean text = r.nextBoolean();
    byte[] buf = new byte[(int) Math.min(size, 1 << 20)];
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p), 1 << 16)) {
      long left = size;
      while (left > 0) {
        int n = (int) Math.min(left, buf.length);
        if (text) {
          fillText(buf, n, r);
        } else {
          r.nextBytes(buf);
        }
        out.write(buf, 0, n);
        left -= n;
      }
    }
  }

  private static void fillText(byte[] buf, int n, SplittableRandom r) {
    int i = 0;
    while (i < n) {
      byte[] w = WORDS[r.nextInt(WORDS.length)].getBytes(StandardCharsets.US_ASCII);
      for (int j = 0; j < w.length && i < n; j++) {
        buf[i++] = w[j];
      }
      if (i < n) {
        buf[i++] = (byte) (r.nextInt(12) == 0 ? '\n' : ' ');
      }
    }
  }
}
