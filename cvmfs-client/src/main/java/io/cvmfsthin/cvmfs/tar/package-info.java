/**
 * Core: the one owner of tar rules in the project, used by the driver's layer extraction, the
 * publisher's tar source and the converter: entry names cleaned as Docker's chrooted extraction
 * cleans them ({@link io.cvmfsthin.cvmfs.tar.TarPaths}), whiteout names and their meaning ({@link
 * io.cvmfsthin.cvmfs.tar.Whiteouts}), the format exception ({@link
 * io.cvmfsthin.cvmfs.tar.TarFormatException}), and what commons-compress does not do exactly: the
 * raw bytes of PAX xattr records ({@code security.capability} is binary), read ({@link
 * io.cvmfsthin.cvmfs.tar.RawPaxHeaders}) and written ({@link io.cvmfsthin.cvmfs.tar.TarHeaders}).
 */
package io.cvmfsthin.cvmfs.tar;
