/**
 * Core: what commons-compress does not give exactly about tar streams: the raw bytes of PAX xattr
 * records ({@code security.capability} is binary). Shared by the publisher's tar source and the
 * driver's tar extraction.
 */
package io.cvmfsthin.cvmfs.tar;
