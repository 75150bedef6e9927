/**
 * Core: what commons-compress does not do exactly for tar streams: the raw bytes of PAX xattr
 * records ({@code security.capability} is binary), read ({@link
 * io.cvmfsthin.cvmfs.tar.RawPaxHeaders}, shared by the publisher's tar source and the driver's tar
 * extraction) and written ({@link io.cvmfsthin.cvmfs.tar.TarHeaders}, used by the converter's layer
 * rewriting).
 */
package io.cvmfsthin.cvmfs.tar;
