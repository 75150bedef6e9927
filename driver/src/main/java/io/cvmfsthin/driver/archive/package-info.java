/**
 * Core: layer tars in and out. {@link io.cvmfsthin.driver.archive.TarApplier} streams a hostile tar
 * into a directory in overlay form (AUFS whiteouts converted), {@link
 * io.cvmfsthin.driver.archive.DiffReader} streams a directory in overlay form back out as a tar
 * with AUFS whiteouts, {@link io.cvmfsthin.driver.archive.OverlayChanges} and {@link
 * io.cvmfsthin.driver.archive.DirectorySize} compute what overlay2 reports. What the JDK cannot do
 * arrives through the small ports {@link io.cvmfsthin.driver.archive.Xattrs}, {@link
 * io.cvmfsthin.driver.archive.DeviceNodes} and {@link io.cvmfsthin.driver.archive.FileMetadata}.
 */
package io.cvmfsthin.driver.archive;
