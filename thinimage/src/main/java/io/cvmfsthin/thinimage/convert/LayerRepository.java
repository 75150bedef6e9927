package io.cvmfsthin.thinimage.convert;

import io.cvmfsthin.cvmfs.publish.EntryReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The converter's view of the CernVM-FS repository it fills: transactions, each of which publishes
 * tars (or entries) at paths and becomes one new revision (or none). Paths are repository paths
 * ({@code /.layers/ab}).
 */
public interface LayerRepository extends AutoCloseable {
  String fqrn();

  /**
   * Runs {@code body} in one transaction: all it publishes becomes one new revision, or none if it
   * published nothing. Other writers of the repository wait until it ends, so what the body looks
   * at stays as it saw it. If the body or the publishing fails, nothing is published and the
   * repository keeps serving the revision it had.
   */
  Revisions transaction(Body body) throws IOException;

  /**
   * Bytes of all objects stored (a walk over all of them: for tests and tools, not per convert).
   */
  long storedBytes() throws IOException;

  @Override
  void close() throws IOException;

  /** The work of one transaction. */
  @FunctionalInterface
  interface Body {
    void run(Transaction transaction) throws IOException;
  }

  /** What a transaction sees and does; valid only inside its body, on the body's thread. */
  interface Transaction {
    /** Whether anything exists at {@code path}, the transaction's own publications included. */
    boolean exists(String path) throws IOException;

    /** The content of the small regular file at {@code path}, if there is one. */
    Optional<byte[]> read(String path) throws IOException;

    /**
     * Publishes the tar (read to its end) as the directory {@code path}, within the transaction.
     *
     * @param nestedCatalog make {@code path} a nested catalog
     * @param onlyIfAbsent do nothing (and read nothing) if {@code path} exists
     * @return whether anything was published
     */
    boolean publish(String path, InputStream tar, boolean nestedCatalog, boolean onlyIfAbsent)
        throws IOException;

    /**
     * Publishes the entries (read to their end) as the directory {@code path}, within the
     * transaction: the same as a tar of the same entries, without encoding and decoding one.
     *
     * @see #publish(String, InputStream, boolean, boolean)
     */
    boolean publish(String path, EntryReader entries, boolean nestedCatalog, boolean onlyIfAbsent)
        throws IOException;
  }

  /**
   * The revision a transaction started from and the one it left (equal if it made none), and the
   * bytes of the objects it added.
   */
  record Revisions(long before, long after, long storedBytes) {}
}
