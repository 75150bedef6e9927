/**
 * Core: Jackson wire records of the image formats (manifest, index, config) and the one place that
 * reads and writes them ({@link io.cvmfsthin.thinimage.image.json.ImageJson}). Each record converts
 * to and from its domain type explicitly.
 */
package io.cvmfsthin.thinimage.image.json;
