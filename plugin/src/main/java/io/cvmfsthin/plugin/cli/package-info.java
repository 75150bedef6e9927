/**
 * Edge: the command-line commands (picocli). Each reads its options and CVMFS configuration, wires
 * the pieces of the modules below and prints their answers; no logic worth a unit test lives here
 * ({@link io.cvmfsthin.plugin.cli.LongListing} formats entries and is pure).
 */
package io.cvmfsthin.plugin.cli;
