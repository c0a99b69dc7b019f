package org.vecrnn.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;

/**
 * Standard output as a PrintWriter that remembers why a write failed. PrintWriter itself swallows
 * IOExceptions and keeps only a flag ({@link #checkError()}); the commands check that flag after each line
 * (stream) or at the end (all), and {@link #exitCode} turns the failure into the program's answer: a
 * closed pipe ends quietly, like other Unix filters, any other failure is one line naming stdout and the
 * reason, exit 1.
 */
final class CheckedOutput extends PrintWriter {
    /** The status of a process killed by SIGPIPE (128 + 13), which is how other filters end on a closed pipe. */
    static final int BROKEN_PIPE = 141;

    private final Recorder recorder;

    private CheckedOutput(Recorder r) {
        super(new OutputStreamWriter(r, System.out.charset()), true);
        this.recorder = r;
    }

    /** The process's standard output, unbuffered below the writer's own buffer. */
    static CheckedOutput stdout() {
        return new CheckedOutput(new Recorder(new FileOutputStream(FileDescriptor.out)));
    }

    /** The first write failure, or null. */
    IOException error() {
        return recorder.error;
    }

    private static final class Recorder extends java.io.FilterOutputStream {
        volatile IOException error;

        Recorder(FileOutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                if (error == null) error = e;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                if (error == null) error = e;
                throw e;
            }
        }
    }

    /** The system's words for a write into a pipe whose reader has gone (EPIPE). */
    private static final String BROKEN_PIPE_REASON = "Broken pipe";

    /** Whether an error message is a write to stdout that failed because its reader left. */
    static boolean brokenPipe(String message) {
        return message != null && message.startsWith("stdout: ") && message.contains(BROKEN_PIPE_REASON);
    }

    /**
     * Where a command's report lines go: stdout, or stderr when stdout carries the file the command writes
     * ({@code --output -}), which text after its bytes would spoil.
     */
    static PrintWriter reportTo(picocli.CommandLine cl, java.nio.file.Path output) {
        return output != null && org.vecrnn.io.OutputPath.isStdout(output) ? cl.getErr() : cl.getOut();
    }

    /** Whether a write to {@code out} failed. */
    static boolean failed(PrintWriter out) {
        return out.checkError();
    }

    /**
     * The exit code for a failed stdout: {@value #BROKEN_PIPE}, silently, when the reader has gone (a
     * closed pipe, e.g. {@code | head -1}); otherwise 1 with one line on err ("No space left on device").
     */
    static int exitCode(String command, PrintWriter out, PrintWriter err) {
        IOException e = out instanceof CheckedOutput c ? c.error() : null;
        String why = e == null || e.getMessage() == null ? "write error" : e.getMessage();
        if (why.contains(BROKEN_PIPE_REASON)) return BROKEN_PIPE;
        err.println("vecrnn" + (command.isEmpty() ? "" : " " + command) + ": stdout: cannot write: " + why);
        err.flush();
        return 1;
    }
}
