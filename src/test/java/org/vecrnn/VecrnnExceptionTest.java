package org.vecrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VecrnnExceptionTest {
    @Test
    void messagesStayOneLineWhateverAFileHolds() {
        VecrnnException e = VecrnnException.inFile("f.bin", "word 'a\nb\r\u0007' is odd");
        assertEquals("f.bin: word 'a\\nb\\r\\u0007' is odd", e.getMessage());
    }

    @Test
    void longNamesAreCut() {
        String m = VecrnnException.inFile("f", "x".repeat(1_000_000)).getMessage();
        assertTrue(m.length() <= VecrnnException.MAX_MESSAGE + 3, "length " + m.length());
        assertTrue(m.endsWith("..."));
    }
}
