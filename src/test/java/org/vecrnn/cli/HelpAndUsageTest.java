package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a newcomer sees first: the command list, and the answer to a mistyped option. */
class HelpAndUsageTest {
    @Test
    void everyCommandSummaryIsOneWholeSentenceThatFitsEightyColumns() {
        Cli help = Cli.run("--help");
        assertEquals(0, help.code(), help.toString());
        List<String> lines = help.out().lines().toList();
        int from = lines.indexOf("Commands:");
        assertTrue(from > 0, help.toString());
        List<String> commands = lines.subList(from + 1, lines.size());
        assertFalse(commands.isEmpty(), help.toString());
        for (String line : commands) {
            assertTrue(line.length() <= 80, "wider than 80 columns: " + line);
            assertTrue(line.matches("  [a-z-]+ +[A-Z].*\\."), "not one line ending a sentence: '" + line + "'");
        }
    }

    /**
     * Picocli formats help texts with String.format: a lone '%' (say "within 3%") makes it print a warning and
     * the raw text instead, with every %n left in.
     */
    @Test
    void everyHelpTextFormatsWithoutAWarning() {
        picocli.CommandLine root = new picocli.CommandLine(new Main());
        List<picocli.CommandLine> commands = new java.util.ArrayList<>(root.getSubcommands().values());
        commands.add(root);
        for (picocli.CommandLine c : commands) {
            List<String> texts = new java.util.ArrayList<>(List.of(c.getCommandSpec().usageMessage().description()));
            for (picocli.CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) texts.addAll(List.of(o.description()));
            for (String t : texts)
                assertFalse(t.replace("%%", "").replace("%n", "").contains("%"), c.getCommandName() + ": a lone % in help text: " + t);
        }
    }

    @Test
    void aMistypedOptionIsNamedAsUnknownWithTheLikelyOne() {
        Cli c = Cli.run("forward", "--modle", "m.safetensors");
        assertEquals(2, c.code(), c.toString());
        assertTrue(c.err().startsWith("Unknown option: '--modle'"), c.toString());
        assertTrue(c.err().contains("--model"), c.toString());
        assertFalse(c.err().contains("Missing required"), c.toString());
    }

    @Test
    void aMissingOptionAloneIsStillReportedAsMissing() {
        Cli c = Cli.run("forward", "--model", "m.safetensors");
        assertEquals(2, c.code(), c.toString());
        assertTrue(c.err().startsWith("Missing required options"), c.toString());
        assertTrue(c.err().contains("Usage: vecrnn forward"), c.toString());
    }

    @Test
    void verboseIsTakenBeforeOrAfterTheCommand() {
        assertEquals(0, Cli.run("-v", "inspect", "--help").code());
        assertEquals(0, Cli.run("inspect", "--verbose", "--help").code());
    }
}
