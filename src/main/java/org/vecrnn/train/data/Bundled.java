package org.vecrnn.train.data;

import java.io.IOException;
import java.io.InputStream;

/** The data sets bundled in the jar (see NOTICE for their sources and terms). */
final class Bundled {
    static final String DIR = "/org/vecrnn/data/";

    private Bundled() {}

    static InputStream open(String file) {
        InputStream in = Bundled.class.getResourceAsStream(DIR + file);
        if (in == null) throw new IllegalStateException("bundled data " + DIR + file + " is missing: the data sets ship in vecrnn-cli.jar, not in the library jar");
        return in;
    }

    static CsvTable csv(String file) {
        try (InputStream in = open(file)) {
            return CsvTable.read("bundled " + file, in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled " + file, e);
        }
    }

    static byte[] bytes(String file) {
        try (InputStream in = open(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled " + file, e);
        }
    }
}
