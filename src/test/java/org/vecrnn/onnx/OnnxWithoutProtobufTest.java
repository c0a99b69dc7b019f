package org.vecrnn.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vecrnn.Oracle;

/**
 * protobuf-java is optional: a library user who opens an .onnx file without it gets a VecrnnException that names
 * the artifact to add, not a NoClassDefFoundError. Runs the library in a class loader that has vecrnn and
 * jackson-core only, as such a user's application has.
 */
class OnnxWithoutProtobufTest {
    @Test
    void openingAnOnnxFileSaysWhichArtifactToAdd() throws Exception {
        URL vecrnn = OnnxImport.class.getProtectionDomain().getCodeSource().getLocation();
        URL jackson = tools.jackson.core.JsonParser.class.getProtectionDomain().getCodeSource().getLocation();
        Path twin = Oracle.dir().resolve("deep/m2m_identity_mse_L2_tanh_n5_d3_k2_T4_B2_s2000.onnx").toAbsolutePath();
        try (URLClassLoader alone = new URLClassLoader(new URL[] {vecrnn, jackson}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> alone.loadClass("com.google.protobuf.CodedInputStream"));
            Method read = alone.loadClass(OnnxImport.class.getName()).getMethod("read", Path.class);
            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> read.invoke(null, twin));
            Throwable cause = e.getCause();
            assertEquals("org.vecrnn.VecrnnException", cause.getClass().getName(), String.valueOf(cause));
            assertTrue(cause.getMessage().startsWith(twin + ": "), cause.getMessage());
            assertTrue(cause.getMessage().contains("add the dependency com.google.protobuf:protobuf-java:4.36.2"), cause.getMessage());
        }
    }
}
