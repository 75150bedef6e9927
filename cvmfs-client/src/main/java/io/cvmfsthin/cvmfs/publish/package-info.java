/**
 * Edge: the publisher side of CernVM-FS. Writes a stratum 0 ({@code <storage>/<fqrn>/}) the stock
 * client mounts: content-addressed objects (compressed, deduplicated, chunked), SQLite file
 * catalogs (schema 2.5 revision 7, nested catalogs, all 24 counters), the history and reflog
 * databases, the whitelist and the signed manifest.
 *
 * <p>Entry point: {@link io.cvmfsthin.cvmfs.publish.RepositoryPublisher} ({@code create}, {@code
 * open}, {@code publish}, {@code transaction} for several publications in one revision, {@code
 * resign}, {@code collectGarbage}: mark and sweep of the objects no retained revision or tag
 * references, under the publish lock; {@link io.cvmfsthin.cvmfs.publish.GarbageCollector}). Crash
 * safety: every object is written under {@code data/txn/} and renamed into place; catalogs are
 * objects too; the manifest is renamed into place last, so a reader always sees a complete
 * revision, the old or the new one. Publishes to one repository are serialized by {@link
 * io.cvmfsthin.cvmfs.publish.PublishLock}.
 *
 * <p>Sources ({@link io.cvmfsthin.cvmfs.publish.Publication}): a tar stream, a directory, or the
 * entries of a tree the caller decodes itself ({@link io.cvmfsthin.cvmfs.publish.EntryReader}: the
 * converter's one pass over a layer). Tar streams and entries go through the same rules ({@code
 * SourceTree}), so both publish the same repository. File contents are compressed and hashed on the
 * caller's executor ({@code withExecutor}, started once by the caller) within a byte budget, so a
 * layer of any size publishes in constant memory; the objects' fsyncs on a second one ({@code
 * withSyncExecutor}).
 */
package io.cvmfsthin.cvmfs.publish;
