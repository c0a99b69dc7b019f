package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --report DIR}: one CSV row per epoch with the figures, and the charts as PNG images. */
class TrainingReportTest {
    @Test
    void aClassifierGetsLossAndAccuracyCurves(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        Cli r = Cli.run("train", "--task", "digits", "--epochs", "3", "--val-fraction", "0.2", "--report", report.toString(),
                "--output", dir.resolve("d.safetensors").toString());
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(report.resolve("epochs.csv"));
        assertEquals("epoch,train_loss,val_loss,train_accuracy,val_accuracy,seconds", lines.get(0));
        assertEquals(4, lines.size(), lines.toString());
        double firstLoss = 0;
        for (int e = 1; e <= 3; e++) {
            String[] f = lines.get(e).split(",", -1);
            assertEquals(String.valueOf(e), f[0]);
            double trainLoss = Double.parseDouble(f[1]), valLoss = Double.parseDouble(f[2]);
            double trainAcc = Double.parseDouble(f[3]), valAcc = Double.parseDouble(f[4]);
            assertTrue(trainLoss > 0 && valLoss > 0, lines.get(e));
            assertTrue(trainAcc > 0.1 && trainAcc <= 1 && valAcc > 0.1 && valAcc <= 1, "better than chance (10 classes): " + lines.get(e));
            if (e == 1) firstLoss = trainLoss;
            else assertTrue(trainLoss < firstLoss, "the training loss falls: " + lines);
        }
        for (String png : List.of("loss.png", "accuracy.png")) {
            BufferedImage img = ImageIO.read(report.resolve(png).toFile());
            assertEquals(LineChart.WIDTH, img.getWidth(), png);
            assertEquals(LineChart.HEIGHT, img.getHeight(), png);
        }
    }

    @Test
    void aForecastGetsItsLossCurveOnly(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("r");
        Cli r = Cli.run("train", "--task", "co2", "--epochs", "2", "--report", report.toString(), "--output", dir.resolve("c.safetensors").toString());
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(report.resolve("epochs.csv"));
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(1).matches("1,[0-9.]+,[0-9.]+,,,[0-9.]+"), "no accuracy for a forecast: " + lines.get(1));
        assertTrue(Files.exists(report.resolve("loss.png")));
        assertTrue(Files.notExists(report.resolve("accuracy.png")));
    }
}
