/**
 * Word vectors: {@link org.vecrnn.text.Word2VecFormat} reads and writes word2vec files (text and binary,
 * checked against their header before anything is allocated); {@link org.vecrnn.text.Embedding} turns tokens
 * into input vectors.
 */
package org.vecrnn.text;
