/**
 * Edge: SQLite databases of a repository opened read-only with sqlite-jdbc from the object cache:
 * file catalogs (schema 2.5 with revision-dependent SQL, and 2.4) and the history (tag) database.
 * Rows become core values ({@link io.cvmfsthin.cvmfs.catalog.CatalogRow}, {@link
 * io.cvmfsthin.cvmfs.catalog.DirectoryEntry}); nothing here decides more than the SQL to issue.
 */
package io.cvmfsthin.cvmfs.sqlite;
