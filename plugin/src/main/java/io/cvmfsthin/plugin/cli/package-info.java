/**
 * Edge: command-line commands that are not the plugin server ({@code mount}). Each parses its
 * options, builds the library objects it needs and owns them until it exits.
 */
package io.cvmfsthin.plugin.cli;
