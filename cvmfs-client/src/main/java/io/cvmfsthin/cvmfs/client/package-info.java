/**
 * Edge (facade): {@link io.cvmfsthin.cvmfs.client.RepositoryClient}, the read side of a CernVM-FS
 * repository as the rest of the project uses it (FUSE mount, graph driver, publisher round-trip
 * tests): the verified manifest, lookups, listings, chunk lists and file contents, fetched lazily
 * through the object cache, plus tags and TTL-driven revision updates. {@link
 * io.cvmfsthin.cvmfs.client.ClientSettings} gathers what it needs, from flags or CVMFS config.
 */
package io.cvmfsthin.cvmfs.client;
