/**
 * Edge: the repository commands of the command line ({@code ls}, {@code cat}): flags and CVMFS
 * configuration files in, a {@link io.cvmfsthin.cvmfs.client.RepositoryClient} out, its answers
 * printed. {@link io.cvmfsthin.plugin.cli.LongListing} formats entries (pure).
 */
package io.cvmfsthin.plugin.cli;
