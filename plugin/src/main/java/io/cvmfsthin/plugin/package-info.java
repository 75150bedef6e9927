/** Composition root and command line (edge): {@link io.cvmfsthin.plugin.Main} wires everything. */
package io.cvmfsthin.plugin;
