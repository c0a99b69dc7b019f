package org.vecrnn.train;

/**
 * What one epoch of training measured, for reports and charts: the mean loss per target step over the
 * epoch's batches (as they were trained) and on the validation data after the epoch; for classifiers
 * (softmax outputs), the share of target steps whose most probable output is the target, on the same two.
 * NaN where there is no such figure (no validation data, or not a classifier).
 */
public record EpochStats(int epoch, double trainLoss, double valLoss, double trainAccuracy, double valAccuracy, double seconds) {}
