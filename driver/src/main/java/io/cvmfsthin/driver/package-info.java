/**
 * The layer store's API, called by the plugin's protocol layer one to one: {@link
 * io.cvmfsthin.driver.GraphDriver} (an overlay2-compatible graph driver that also stacks thin
 * layers from CernVM-FS), the values it takes and returns, and {@link
 * io.cvmfsthin.driver.RepositoryMounts}, the one thing it needs from the CVMFS client.
 */
package io.cvmfsthin.driver;
