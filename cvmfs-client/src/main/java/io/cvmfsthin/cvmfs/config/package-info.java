/**
 * Edge: CernVM-FS client configuration in its own form, {@code KEY=value} files read in the stock
 * order ({@code default.conf}, {@code default.d/*.conf}, {@code default.local}, {@code
 * domain.d/<domain>.conf|.local}, {@code config.d/<fqrn>.conf|.local}), so an existing site
 * configuration works as is. Parsing a file's text is pure; {@link
 * io.cvmfsthin.cvmfs.config.ConfigFiles#load} reads the files.
 */
package io.cvmfsthin.cvmfs.config;
