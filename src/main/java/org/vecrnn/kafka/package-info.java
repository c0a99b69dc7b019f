/**
 * Streaming prediction on Kafka Streams, the code behind {@code vecrnn kafka}: {@link org.vecrnn.kafka.StreamStep}
 * is a {@code ProcessorSupplier} that steps a model once per record, keeping each key's state in a persistent
 * store with a changelog, and adds itself (store, processor, output and dead-letter sinks) to a topology;
 * {@link org.vecrnn.kafka.ValueFormat} reads and writes the values (text or little-endian float32) and gives serdes
 * for clients; {@link org.vecrnn.kafka.StateBytes} is the versioned layout of the stored state, stamped with the
 * model that made it ({@link org.vecrnn.kafka.ModelStamp}).
 *
 * <p>{@code org.apache.kafka:kafka-streams} is an optional dependency of vecrnn: a service that uses this package
 * declares it itself (vecrnn is built and tested with 4.4.0).
 */
package org.vecrnn.kafka;
