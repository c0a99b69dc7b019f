package org.vecrnn.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.SameFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code vecrnn} command line. Exit codes: 0 done; 1 bad input or data (one line on stderr naming the
 * file and the problem, no stack trace; also a failed write to stdout); 2 usage error (with the usage text,
 * or one line for an output that is the same file as an input); 141 stdout closed by its reader (a pipe).
 */
@Command(name = "vecrnn", mixinStandardHelpOptions = true, version = "vecrnn 0.1.0",
        description = "Elman recurrent neural networks on the JVM.",
        subcommands = {ForwardCommand.class, GradCommand.class, InspectCommand.class, StreamCommand.class, BenchCommand.class,
                TrainCommand.class, QuantizeCommand.class, ExportCommand.class, SampleCommand.class, DemoCommand.class, KafkaCommand.class})
public final class Main implements Runnable {
    /** Held so that the JDK does not drop the level set on it (loggers are weakly referenced). */
    private static final Logger VECRNN_LOG = Logger.getLogger("org.vecrnn");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Also print the choices made at start-up: kernels, vector width, BLAS library and its core.")
    void verbose(boolean on) {
        // the library logs those at DEBUG through System.Logger, which the JDK maps to java.util.logging's FINE
        if (!on) return;
        VECRNN_LOG.setLevel(Level.FINE);
        Handler[] handlers = Logger.getLogger("").getHandlers();
        for (Handler h : handlers) if (h instanceof ConsoleHandler) h.setLevel(Level.FINE);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
    }

    public static void main(String[] args) {
        // the library logs its start-up choices through System.Logger; on the command line each is one plain line
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
            System.setProperty("java.util.logging.SimpleFormatter.format", "%5$s%6$s%n");
        System.exit(run(args, CheckedOutput.stdout(), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given output streams and returns its exit code (for tests too). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setUsageHelpAutoWidth(true);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof SameFileException) {
                err.println("vecrnn " + cmd.getCommandName() + ": " + e.getMessage());
                err.flush();
                return 2; // a usage error: the same command with another path works
            }
            if (e instanceof VecrnnException && CheckedOutput.brokenPipe(e.getMessage()))
                return CheckedOutput.BROKEN_PIPE; // an output file written to stdout (--output -) whose reader left: quietly
            if (e instanceof VecrnnException || e instanceof IllegalArgumentException) {
                err.println("vecrnn " + cmd.getCommandName() + ": " + e.getMessage());
                err.flush();
                return 1;
            }
            throw e;
        });
        int code = cl.execute(args);
        out.flush();
        if (code == 0 && CheckedOutput.failed(out)) { // a command that failed has said why already
            CommandLine.ParseResult parsed = cl.getParseResult();
            String command = parsed != null && parsed.subcommand() != null ? parsed.subcommand().commandSpec().name() : "";
            return CheckedOutput.exitCode(command, out, err);
        }
        return code;
    }

    /**
     * Picocli checks required options before it complains about unknown ones, so {@code forward --modle X}
     * would only say that --model is missing: an unknown option is named first, with picocli's suggestions.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        List<String> unmatched = cmd.getUnmatchedArguments();
        List<String> options = unmatched.stream().filter(a -> a.startsWith("-")).toList();
        CommandLine.ParameterException shown = e;
        if (!options.isEmpty()) shown = new CommandLine.UnmatchedArgumentException(cmd, options);   // not their values
        else if (!(e instanceof CommandLine.UnmatchedArgumentException) && !unmatched.isEmpty())
            shown = new CommandLine.UnmatchedArgumentException(cmd, unmatched);
        err.println(shown.getMessage());
        if (CommandLine.UnmatchedArgumentException.printSuggestions(shown, err))
            err.println("'" + cmd.getCommandSpec().qualifiedName() + " --help' lists every option.");
        else
            cmd.usage(err);
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
}
