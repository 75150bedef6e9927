/**
 * Edge: command-line commands (picocli). Each command reads its options, wires the pieces of the
 * modules below and reports; no logic worth a unit test lives here.
 */
package io.cvmfsthin.plugin.cli;
