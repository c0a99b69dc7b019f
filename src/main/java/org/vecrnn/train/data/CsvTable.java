package org.vecrnn.train.data;

import org.vecrnn.io.FileKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vecrnn.VecrnnException;

/**
 * A comma-separated table of numbers with an optional header line, read whole. Every problem is one line
 * naming the file and the line: a wrong column count, a cell that is not a finite number, an empty file.
 * Blank lines are skipped; the first line is a header when none of its cells is a number.
 */
public final class CsvTable {
    /** Refuse absurd inputs before they cost memory: 1 GB of text. */
    static final long MAX_BYTES = 1L << 30;

    private final String name;
    private final List<String> header;
    private final List<String[]> rows;
    private final int[] lines;

    private CsvTable(String name, List<String> header, List<String[]> rows, int[] lines) {
        this.name = name;
        this.header = header;
        this.rows = rows;
        this.lines = lines;
    }

    public static CsvTable read(Path path) {
        FileKind.requireReadableFile(path);
        try {
            if (Files.size(path) > MAX_BYTES) throw VecrnnException.inFile(path, "larger than " + MAX_BYTES + " bytes");
            try (InputStream in = Files.newInputStream(path)) {
                return read(path.toString(), in);
            }
        } catch (NoSuchFileException e) {
            throw VecrnnException.inFile(path, "no such file");
        } catch (IOException e) {
            throw VecrnnException.inFile(path, "cannot read: " + FileKind.reason(e));
        }
    }

    /** Reads from a stream under a display name (a bundled resource). */
    public static CsvTable read(String name, InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<String> header = null;
        List<String[]> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int lineNo = 0, width = -1, widthLine = 0;
        for (String line; (line = r.readLine()) != null; ) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            if (line.isBlank()) continue;
            String[] cells = line.split(",", -1);
            for (int i = 0; i < cells.length; i++) cells[i] = cells[i].trim();
            if (header == null && rows.isEmpty() && noNumbers(cells)) {
                header = List.of(cells);
                width = cells.length;
                widthLine = lineNo;
                continue;
            }
            if (width < 0) {
                width = cells.length;
                widthLine = lineNo;
            } else if (cells.length != width) {
                throw new VecrnnException(name + ":" + lineNo + ": " + cells.length + " columns, expected " + width + " (as on line " + widthLine + ")");
            }
            rows.add(cells);
            lines.add(lineNo);
        }
        if (rows.isEmpty()) throw new VecrnnException(name + ": no data rows" + (header == null ? " (the file is empty)" : " after the header"));
        return new CsvTable(name, header == null ? List.of() : header, rows, lines.stream().mapToInt(Integer::intValue).toArray());
    }

    private static boolean noNumbers(String[] cells) {
        for (String c : cells) if (isNumber(c)) return false;
        return true;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return !s.isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public String name() { return name; }
    public int rows() { return rows.size(); }
    public int columns() { return rows.get(0).length; }
    public List<String> header() { return header; }

    /** The line number (1-based, in the file) of data row r. */
    public int line(int r) {
        return lines[r];
    }

    /** Index of a header column, or a clear error naming the file. */
    public int column(String title) {
        int i = header.indexOf(title);
        if (i < 0) throw new VecrnnException(name + ": no column '" + title + "' in the header " + header);
        return i;
    }

    /** The cell as a finite float, or an error naming file, line and column. */
    public float number(int r, int c) {
        String s = rows.get(r)[c];
        try {
            float v = Float.parseFloat(s);
            if (Float.isFinite(v)) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new VecrnnException(name + ":" + lines[r] + ": column " + (c + 1) + ": '" + s + "' is not a finite number");
    }

    /** The cell as an integer class label in [0, classes), or an error naming file, line and column. */
    public int label(int r, int c, int classes) {
        String s = rows.get(r)[c];
        try {
            int v = Integer.parseInt(s);
            if (v >= 0 && v < classes) return v;
            throw new VecrnnException(name + ":" + lines[r] + ": column " + (c + 1) + ": label " + v + " is out of range 0.." + (classes - 1));
        } catch (NumberFormatException e) {
            throw new VecrnnException(name + ":" + lines[r] + ": column " + (c + 1) + ": '" + s + "' is not an integer class label");
        }
    }

    /** Fails with file and line when a row does not satisfy a condition. */
    public VecrnnException error(int r, String problem) {
        return new VecrnnException(name + ":" + lines[r] + ": " + problem);
    }
}
