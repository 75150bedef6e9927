package io.cvmfsthin.cvmfs.fuse;

import io.cvmfsthin.cvmfs.catalog.DirectoryEntry;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/** fuse edge: the only code that writes jnr structs. */
final class Stats {
  static final int BLOCK_SIZE = 4096;
  private static final int BITFIELD_OFFSET = 20;
  private static final int DIRECT_IO_BIT = 1;
  private static final int KEEP_CACHE_BIT = 1 << 1;

  private Stats() {}

  /** Fills every field of {@code st}; {@code sizeBytes} is what st_size shows. */
  static void fill(FileStat st, DirectoryEntry e, long sizeBytes) {
    st.st_dev.set(0);
    st.st_ino.set(Inodes.of(e));
    st.st_mode.set(e.mode());
    st.st_nlink.set(Math.max(1, e.linkCount()));
    st.st_uid.set(e.uid());
    st.st_gid.set(e.gid());
    st.st_rdev.set(e.kind().isDevice() ? e.rdev() : 0);
    st.st_size.set(sizeBytes);
    st.st_blksize.set(BLOCK_SIZE);
    st.st_blocks.set((sizeBytes + 511) / 512);
    st.st_atim.tv_sec.set(e.mtimeSeconds());
    st.st_atim.tv_nsec.set(e.mtimeNanos());
    st.st_mtim.tv_sec.set(e.mtimeSeconds());
    st.st_mtim.tv_nsec.set(e.mtimeNanos());
    st.st_ctim.tv_sec.set(e.mtimeSeconds());
    st.st_ctim.tv_nsec.set(e.mtimeNanos());
  }

  /** A read-only file system of {@code totalBytes}, {@code freeBytes} of them free. */
  static void fill(Statvfs st, long totalBytes, long freeBytes, long files) {
    st.f_bsize.set(BLOCK_SIZE);
    st.f_frsize.set(BLOCK_SIZE);
    st.f_blocks.set(totalBytes / BLOCK_SIZE);
    st.f_bfree.set(freeBytes / BLOCK_SIZE);
    st.f_bavail.set(freeBytes / BLOCK_SIZE);
    st.f_files.set(files);
    st.f_ffree.set(0);
    st.f_favail.set(0);
    st.f_flag.set(Statvfs.ST_RDONLY);
    st.f_namemax.set(255);
  }

  /**
   * Sets {@code fuse_file_info.keep_cache} and {@code direct_io}. jnr-fuse maps the C bit fields as
   * bytes (its own TODO says so); in libfuse 2.9 on 64-bit Linux they are bits of the 32-bit word
   * at offset 20 after {@code int flags; unsigned long fh_old; int writepage;}, direct_io bit 0,
   * keep_cache bit 1.
   */
  static void openFlags(FuseFileInfo fi, boolean keepCache, boolean directIo) {
    Pointer p = Struct.getMemory(fi);
    int word = p.getInt(BITFIELD_OFFSET) & ~(KEEP_CACHE_BIT | DIRECT_IO_BIT);
    p.putInt(
        BITFIELD_OFFSET, word | (keepCache ? KEEP_CACHE_BIT : 0) | (directIo ? DIRECT_IO_BIT : 0));
  }

  /** A stat struct of its own memory, for readdir's filler. */
  static FileStat newStat() {
    FileStat st = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
    Struct.getMemory(st); // allocates
    return st;
  }
}
