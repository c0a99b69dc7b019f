package org.vecrnn.train.data;

import java.util.Locale;
import java.util.Map;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.TrainingData;

/**
 * Many-to-many next-step forecasting of a series of n values per step: x_t = row_t, y_t = row_{t+1},
 * each column standardised with the training part's mean and standard deviation (identity output, MSE).
 * With {@code differences} the network sees and predicts first differences r_t - r_{t-1} instead (standardised
 * the same way), and a forecast is the last observed row plus the predicted change: a trending series
 * (co2) leaves its training range in the test part, where a tanh network cannot follow the level, while
 * its changes stay in range. The error of the level forecast equals the error of the predicted change, so
 * the figure is the same next-step RMSE in the data's units either way, and a forecast of row r uses rows
 * up to r - 1 only.
 * Training uses every window of {@code window} steps inside the training part (stride 1, shuffled); the
 * last {@code valFraction} of those windows can be kept apart for early stopping; the first half of each
 * window is burn-in without targets (see {@link SeriesWindows}). Each test row is
 * predicted from the window of the {@code window} rows before it (the context a training window ends with);
 * the figure is the RMSE in the data's own units. The bundled co2 task is this with n = 1.
 */
public final class Forecast implements Task {
    private final String name;
    private final float[] series; // standardised, rows × n
    private final float[] mean, std;
    private final int n, rows, trainEnd, window;
    private final boolean differences;
    private final SeriesWindows train, val;

    /** Mauna Loa CO2 (column "value"), last 20 % held out; see the class comment for {@code differences}. */
    public static Forecast co2(int hidden, int layers, int batch, int window, double valFraction, boolean differences) {
        CsvTable t = Bundled.csv("co2.csv");
        int col = t.column("value");
        float[] raw = new float[t.rows()];
        for (int r = 0; r < raw.length; r++) raw[r] = t.number(r, col);
        return new Forecast("co2", raw, 1, (int) Math.round(raw.length * 0.8), hidden, layers, batch, window, valFraction, differences);
    }

    /** A user's series: every column numeric; the test rows (when given) continue the training rows. */
    public static Forecast csv(CsvTable train, CsvTable test, int hidden, int layers, int batch, int window, double valFraction, boolean differences) {
        int n = train.columns();
        if (test != null && test.columns() != n)
            throw new org.vecrnn.VecrnnException(test.name() + ": " + test.columns() + " columns, the training file has " + n);
        int tr = train.rows(), te = test == null ? 0 : test.rows();
        float[] raw = new float[(tr + te) * n];
        for (int r = 0; r < tr; r++) for (int c = 0; c < n; c++) raw[r * n + c] = train.number(r, c);
        for (int r = 0; r < te; r++) for (int c = 0; c < n; c++) raw[(tr + r) * n + c] = test.number(r, c);
        int trainEnd = test == null ? (int) Math.round(tr * 0.8) : tr;
        return new Forecast("series", raw, n, trainEnd, hidden, layers, batch, window, valFraction, differences);
    }

    private Forecast(String name, float[] raw, int n, int rawTrainEnd, int hidden, int layers, int batch, int window, double valFraction, boolean differences) {
        this.name = name;
        this.n = n;
        this.differences = differences;
        if (differences) {
            // row j of the differenced series is raw row j+1 minus raw row j; raw row r (r >= 1) is predicted
            // from differenced rows up to r - 2, i.e. from raw rows up to r - 1, as the level model does
            if (raw.length / n < 3) throw new IllegalArgumentException("differences need at least 3 rows, got " + raw.length / n);
            float[] diff = new float[raw.length - n];
            for (int i = 0; i < diff.length; i++) diff[i] = raw[i + n] - raw[i];
            raw = diff;
            rawTrainEnd--;
        }
        this.rows = raw.length / n;
        this.trainEnd = rawTrainEnd;
        if (window < 1 || window > trainEnd - 2)
            throw new IllegalArgumentException("--window must be in 1.." + (trainEnd - 2) + " for a training part of " + trainEnd + " steps, got " + window);
        if (rows - trainEnd < 1) throw new IllegalArgumentException("no test steps after the " + trainEnd + " training steps");
        this.mean = new float[n];
        this.std = new float[n];
        for (int c = 0; c < n; c++) {
            double s = 0, s2 = 0;
            for (int r = 0; r < trainEnd; r++) s += raw[r * n + c];
            double m = s / trainEnd;
            for (int r = 0; r < trainEnd; r++) s2 += (raw[r * n + c] - m) * (raw[r * n + c] - m);
            mean[c] = (float) m;
            std[c] = (float) Math.max(Math.sqrt(s2 / trainEnd), 1e-12);
        }
        this.series = new float[raw.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < n; c++) series[r * n + c] = (raw[r * n + c] - mean[c]) / std[c];
        this.window = window;
        int windows = trainEnd - window; // window [i, i+window), targets up to row i+window < trainEnd
        int nVal = (int) Math.round(windows * valFraction);
        if (nVal >= windows) throw new IllegalArgumentException("validation fraction " + valFraction + " leaves no training windows");
        this.train = new SeriesWindows(series, n, 0, windows - nVal, window, hidden, layers, batch, true, window / 2);
        this.val = nVal == 0 ? null : new SeriesWindows(series, n, windows - nVal, windows, window, hidden, layers, 256, false, window / 2);
    }

    @Override public String name() { return name; }
    @Override public TrainingData train() { return train; }
    @Override public TrainingData validation() { return val; }
    @Override public Output output() { return Output.IDENTITY; }
    @Override public Loss loss() { return Loss.MSE; }

    @Override
    public String figure(BatchedBptt bptt, ParamBuffers params) {
        try (SeriesWindows test = new SeriesWindows(series, n, trainEnd - window, rows - window, window, params.d, params.layers, 512, false, window - 1)) {
            double se = 0;
            long count = 0;
            test.startEpoch(0, 0);
            for (int i = 0; i < test.batches(); i++) {
                var b = test.batch(i);
                bptt.forward(params, b);
                for (int s = 0; s < b.B; s++) {
                    int target = test.start(i, s) + window;
                    for (int c = 0; c < n; c++) {
                        float pred = bptt.o().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, ((long) (b.T - 1) * b.B + s) * n + c);
                        double err = (pred - series[target * n + c]) * std[c];
                        se += err * err;
                        count++;
                    }
                }
            }
            return String.format(Locale.ROOT, "test_rmse=%.4f", Math.sqrt(se / count));
        }
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("task", name, "topology", "many-to-many", "mean", java.util.Arrays.toString(mean), "std", java.util.Arrays.toString(std),
                "window", Integer.toString(window),
                "input", differences ? "differences (x_t - x_{t-1}, standardised; forecast = last value + predicted change)" : "values (standardised)");
    }
}
