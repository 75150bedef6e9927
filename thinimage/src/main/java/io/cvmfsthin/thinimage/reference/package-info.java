/**
 * Core: image references ({@code registry/repository:tag@digest}) with Docker's defaults, and
 * content digests ({@code sha256:<hex>}). Pure values, no I/O.
 */
package io.cvmfsthin.thinimage.reference;
