package org.vecrnn.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.AtomicFile;
import org.vecrnn.model.Loss;
import org.vecrnn.train.EpochStats;

/**
 * {@code train --report DIR}: every epoch's figures as {@code epochs.csv}, and the curves as {@code loss.png}
 * and (for classifiers) {@code accuracy.png}, training and validation side by side. The CSV is rewritten
 * (atomically) after every epoch, so a long run can be watched and a stopped one leaves its figures; the
 * charts are drawn once at the end ({@link #finish}), outside the training clock.
 */
final class TrainingReport implements Consumer<EpochStats> {
    static final String CSV = "epochs.csv", LOSS = "loss.png", ACCURACY = "accuracy.png";

    private final Path dir;
    private final String task, lossName;
    private final List<EpochStats> epochs = new ArrayList<>();

    /** Checks that dir can be used before training starts (made when missing). */
    TrainingReport(Path dir, String task, Loss loss, String setting) {
        LineChart.checkAvailable();
        try {
            Files.createDirectories(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            String kind;
            try {
                kind = org.vecrnn.io.FileKind.of(dir);
            } catch (IOException again) {
                kind = "not a folder";
            }
            throw VecrnnException.inFile(dir, "is " + kind + ", not a folder; give --report the path of a folder (made when missing)");
        } catch (IOException e) {
            throw VecrnnException.inFile(dir, "cannot make the report folder: " + org.vecrnn.io.FileKind.reason(e));
        }
        this.dir = dir;
        this.task = task + (setting.isEmpty() ? "" : " (" + setting + ")");
        this.lossName = loss == Loss.CE ? "cross-entropy (nats per target step)" : "squared error per target step (network units)";
    }

    @Override
    public void accept(EpochStats e) {
        epochs.add(e);
        writeCsv();
    }

    private void writeCsv() {
        StringBuilder csv = new StringBuilder("epoch,train_loss,val_loss,train_accuracy,val_accuracy,seconds\n");
        for (EpochStats e : epochs)
            csv.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%.3f%n", e.epoch(), num(e.trainLoss()), num(e.valLoss()),
                    num(e.trainAccuracy()), num(e.valAccuracy()), e.seconds()));
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(dir.resolve(CSV), ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** Draws the charts of every epoch so far. */
    void finish() {        LineChart loss = new LineChart("Loss per epoch: " + task, "training: mean over the epoch's batches; validation: after the epoch",
                "epoch", lossName).integerX();
        LineChart accuracy = new LineChart("Accuracy per epoch: " + task, "share of target steps whose most probable output is the target",
                "epoch", "accuracy (%)").integerX();
        for (EpochStats e : epochs) {
            loss.add("training", e.epoch(), e.trainLoss()).add("validation", e.epoch(), e.valLoss());
            accuracy.add("training", e.epoch(), 100 * e.trainAccuracy()).add("validation", e.epoch(), 100 * e.valAccuracy());
        }
        loss.write(dir.resolve(LOSS));
        if (!accuracy.isEmpty()) accuracy.write(dir.resolve(ACCURACY));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
