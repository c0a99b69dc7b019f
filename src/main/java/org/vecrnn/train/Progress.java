package org.vecrnn.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on stderr: a live bar redrawn in place (epoch, batch, loss, examples/s, ETA) when the JVM
 * has a console, plain lines (one per epoch) otherwise, so logs and CI output stay readable. JDK 25's
 * {@code System.console()} looks at stdin and stdout only, so {@code 2>log} from a terminal still gets the bar.
 */
public final class Progress {
    private final PrintStream err;
    private final boolean live;
    private final String unit;
    private long lastDraw;

    public Progress(PrintStream err, boolean live, String unit) {
        this.err = err;
        this.live = live;
        this.unit = unit;
    }

    /** A live bar exactly when the JVM has a console (stdin and stdout attached to a terminal). */
    public static Progress forStderr(String unit) {
        return new Progress(System.err, System.console() != null, unit);
    }

    public static Progress silent() {
        return new Progress(new PrintStream(java.io.OutputStream.nullOutputStream()), false, "ex");
    }

    public void batch(int epoch, int epochs, int batch, int batches, double loss, double perSecond, double etaSeconds) {
        if (!live) return;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && batch + 1 < batches) return;
        lastDraw = now;
        int width = 24, done = (int) ((long) width * (batch + 1) / batches);
        String bar = "=".repeat(done) + (done < width ? ">" + " ".repeat(width - done - 1) : "");
        err.print(String.format(Locale.ROOT, "\repoch %d/%d [%s] batch %d/%d loss %.4f %,.0f %s/s ETA %s   ",
                epoch + 1, epochs, bar, batch + 1, batches, loss, perSecond, unit, time(etaSeconds)));
        err.flush();
    }

    public void epoch(int epoch, int epochs, double trainLoss, double valLoss, double perSecond, double seconds, String note) {
        if (live) err.print("\r" + " ".repeat(100) + "\r");
        err.println(String.format(Locale.ROOT, "epoch %d/%d loss %.5f%s %,.0f %s/s %.2fs%s", epoch + 1, epochs, trainLoss,
                Double.isNaN(valLoss) ? "" : String.format(Locale.ROOT, " val_loss %.5f", valLoss), perSecond, unit, seconds,
                note.isEmpty() ? "" : " " + note));
        err.flush();
    }

    public void line(String s) {
        err.println(s);
        err.flush();
    }

    static String time(double s) {
        if (!Double.isFinite(s) || s < 0) return "?";
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
