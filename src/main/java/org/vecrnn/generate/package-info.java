/**
 * One-to-many generation on any stream: {@link org.vecrnn.generate.Generator} feeds each chosen token back as
 * the next input (greedy, seeded sampling with a temperature, or beam search).
 */
package org.vecrnn.generate;
