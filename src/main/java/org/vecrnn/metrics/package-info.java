/**
 * Micrometer metrics for a service's streams: {@link org.vecrnn.metrics.StreamMetrics} times each step,
 * counts live streams and refused inputs, per model. Needs io.micrometer:micrometer-core on the class path
 * (an optional dependency of vecrnn).
 */
package org.vecrnn.metrics;
