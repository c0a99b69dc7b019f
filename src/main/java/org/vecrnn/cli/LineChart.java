package org.vecrnn.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
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
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private final String title, subtitle, xLabel, yLabel;
    private final Map<String, XYSeries> series = new LinkedHashMap<>();
    private boolean integerX, zeroBased, logY, pointsOnly;
    private String[] categories;

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

    /**
     * The x axis names categories (benchmark sizes, implementations): x = i is labelled {@code names[i]}, and
     * points are added at x = 0, 1, ....
     */
    LineChart categoriesX(String... names) {
        categories = names.clone();
        return this;
    }

    /** A logarithmic y axis, for values that span orders of magnitude (times of a scalar and a vector kernel). */
    LineChart logY() {
        logY = true;
        return this;
    }

    /** Points without lines, for categories that are not a sequence (implementations side by side). */
    LineChart pointsOnly() {
        pointsOnly = true;
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

    /**
     * Whether two neighbouring names need more than their room: about 7.5 px a character in the 12-point tick
     * font, against the plot's 725 px shared by the names (as drawn at 800 px wide).
     */
    static boolean crowded(String[] names) {
        double room = (WIDTH - 75.0) / names.length;
        for (int i = 1; i < names.length; i++)
            if ((names[i - 1].length() + names[i].length()) / 2.0 * 7.5 + 4 > room) return true;
        return false;
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
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(!pointsOnly, pointsOnly || data.getItemCount(0) <= 40);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, COLORS[i % COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        if (categories != null) {
            SymbolAxis names = new SymbolAxis(xLabel, categories);
            names.setGridBandsVisible(false);
            names.setLowerMargin(0.3);
            names.setUpperMargin(0.3);
            // the axis leaves out a name that would overlap its neighbour (BatchBench's last impl went missing):
            // names too long for their room are written upwards instead
            if (crowded(categories)) names.setVerticalTickLabels(true);
            plot.setDomainAxis(names);
        }
        if (logY) {
            LogAxis log = new LogAxis(yLabel);
            log.setBase(10);
            log.setSmallestValue(1e-9);
            // a tick at each power of ten, written as a plain number (100,000 rather than 10^5.0)
            log.setTickUnit(new NumberTickUnit(1));
            log.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
            log.setMinorTickCount(9);
            log.setMinorTickMarksVisible(true);
            plot.setRangeAxis(log);
        }
        ValueAxis x = plot.getDomainAxis(), y = plot.getRangeAxis();
        if (integerX && x instanceof NumberAxis nx) nx.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        if (y instanceof NumberAxis ny) ny.setAutoRangeIncludesZero(zeroBased);
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 14), ticks = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        for (ValueAxis a : new ValueAxis[] {x, y}) {
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
