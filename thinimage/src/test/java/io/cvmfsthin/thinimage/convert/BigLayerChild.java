package io.cvmfsthin.thinimage.convert;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM for {@link BigLayerIT}: converts the OCI layout {@code layout} into a repository
 * under {@code storage} ({@code storage keys fqrn layout}), no push, with executors made as the CLI
 * makes them (one content thread per CPU, named). Prints the summary line and its peak resident
 * memory ({@code VmHWM}).
 */
public final class BigLayerChild {
  private BigLayerChild() {}

  public static void main(String[] args) throws Exception {
    ExecutorService content = pool("convert-content", Runtime.getRuntime().availableProcessors());
    ExecutorService fsync = pool("object-fsync", 8);
    try (OciLayoutSource source =
            new OciLayoutSource(
                Path.of(args[3]), null, io.cvmfsthin.thinimage.image.Platform.LINUX_AMD64);
        CvmfsLayerRepository repository =
            CvmfsLayerRepository.openOrCreate(
                Path.of(args[0]), Path.of(args[1]), args[2], Clock.systemUTC(), content, fsync)) {
      ConvertResult result =
          new Converter(repository, null, Clock.systemUTC(), new ConvertListener() {})
              .convert(source, null, new ConvertOptions(false, false));
      System.out.println(result.summaryLine());
    } finally {
      content.shutdownNow();
      fsync.shutdownNow();
    }
    Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("VmHWM"))
        .forEach(System.out::println);
  }

  private static ExecutorService pool(String prefix, int threads) {
    AtomicInteger count = new AtomicInteger();
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }
}
