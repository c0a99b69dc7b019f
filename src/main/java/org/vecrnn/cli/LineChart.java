package org.vecrnn.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.AtomicFile;

/**
 * A PNG line chart (JFreeChart, drawn headless): a title, a subtitle, labelled axes with their units and one
 * line per named series, written atomically. The command line's only use of JFreeChart, an optional
 * dependency that vecrnn-cli.jar bundles.
 */
final class LineChart {
    static final int WIDTH = 800, HEIGHT = 450;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e)};

    private final String title, subtitle, xLabel, yLabel;
    private final Map<String, XYSeries> series = new LinkedHashMap<>();
    private boolean integerX, zeroBased;

    LineChart(String title, String subtitle, String xLabel, String yLabel) {
        this.title = title;
        this.subtitle = subtitle;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Ticks on whole numbers only on the x axis (epochs, thread counts). */
    LineChart integerX() {
        integerX = true;
        return this;
    }

    /** The y axis starts at 0 (rates, accuracies), rather than at the data's lowest value. */
    LineChart zeroBased() {
        zeroBased = true;
        return this;
    }

    /** Adds the point (x, y) to the named line; a NaN y is left out. */
    LineChart add(String name, double x, double y) {
        if (Double.isFinite(y)) series.computeIfAbsent(name, n -> new XYSeries(n, false)).add(x, y);
        return this;
    }

    boolean isEmpty() {
        return series.isEmpty();
    }

    void write(Path png) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        if (subtitle != null) chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 13)));
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, data.getItemCount(0) <= 40);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, COLORS[i % COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        NumberAxis x = (NumberAxis) plot.getDomainAxis(), y = (NumberAxis) plot.getRangeAxis();
        if (integerX) x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setAutoRangeIncludesZero(zeroBased);
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 14), ticks = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        for (NumberAxis a : new NumberAxis[] {x, y}) {
            a.setLabelFont(label);
            a.setTickLabelFont(ticks);
        }
        AtomicFile.write(png, ch -> {
            OutputStream out = Channels.newOutputStream(ch);
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
            out.flush();
        });
    }

    /** Refuses early, before any training, when JFreeChart is not on the class path. */
    static void checkAvailable() {
        try {
            Class.forName("org.jfree.chart.JFreeChart", false, LineChart.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new VecrnnException("charts need JFreeChart (org.jfree:jfreechart 1.5), which vecrnn-cli.jar bundles; it is not on the class path");
        }
    }
}
