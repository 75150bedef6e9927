/**
 * Edge: the commands of the command line. Repository commands ({@code ls}, {@code cat}, {@code
 * repo}): flags and CVMFS configuration files in, a {@link
 * io.cvmfsthin.cvmfs.client.RepositoryClient} out, its answers printed; {@link
 * io.cvmfsthin.plugin.cli.LongListing} formats entries (pure). {@code convert}: wires the registry
 * client, the repository and the converter of {@code thinimage}, and shows progress.
 */
package io.cvmfsthin.plugin.cli;
