package org.vecrnn.cli;

import java.io.PrintWriter;
import org.vecrnn.VecrnnException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vecrnn} command line. Exit codes: 0 done; 1 bad input or data (one line on stderr naming the
 * file and the problem, no stack trace); 2 usage error (with the usage text).
 */
@Command(name = "vecrnn", mixinStandardHelpOptions = true, version = "vecrnn 0.1.0",
        description = "Elman recurrent neural networks on the JVM.",
        subcommands = {ForwardCommand.class, GradCommand.class, InspectCommand.class, StreamCommand.class, BenchCommand.class,
                TrainCommand.class, QuantizeCommand.class, SampleCommand.class, DemoCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
    }

    public static void main(String[] args) {
        // the library logs its start-up choices through System.Logger; on the command line each is one plain line
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
            System.setProperty("java.util.logging.SimpleFormatter.format", "%5$s%6$s%n");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given output streams and returns its exit code (for tests too). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof VecrnnException || e instanceof IllegalArgumentException) {
                err.println("vecrnn " + cmd.getCommandName() + ": " + e.getMessage());
                err.flush();
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }
}
