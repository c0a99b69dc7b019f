package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.reflect.AccessFlag;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * No lock on the step path, checked in the bytecode (java.lang.classfile): starting from the public step
 * methods of StreamState and the kernels, every method of org.vecrnn reachable through calls (an interface
 * or virtual call reaches every implementation among the classes listed below) must not be synchronized,
 * must hold no monitorenter and must call nothing in java.util.concurrent.locks nor Object.wait. JDK
 * methods themselves (Math.tanh, the Vector API) are not followed. The analysis is checked on a fixture
 * with a lock two calls deep, so it can fail.
 */
class LockFreeStepPathTest {
    /** The classes the step path may reach, by binary name; implementations of the interfaces are among them. */
    static final List<String> CLASSES = List.of("org.vecrnn.infer.StreamState", "org.vecrnn.kernel.StepKernel", "org.vecrnn.kernel.Activation",
            "org.vecrnn.kernel.ScalarStepKernel", "org.vecrnn.kernel.VectorStepKernel", "org.vecrnn.kernel.Int8ScalarKernel",
            "org.vecrnn.kernel.Int8VectorKernel", "org.vecrnn.kernel.Int8Kernel", "org.vecrnn.kernel.KernelChecks", "org.vecrnn.kernel.VectorTanh",
            "org.vecrnn.kernel.VectorKernelProvider", "org.vecrnn.kernel.ScalarKernelProvider", "org.vecrnn.model.Output",
            "org.vecrnn.quant.Int8Matrix", "org.vecrnn.quant.QuantizedRnn", "org.vecrnn.kernel.Tanh", "org.vecrnn.kernel.VectorRelu",
            "org.vecrnn.model.Nonlinearity", "org.vecrnn.model.Preprocessing", "org.vecrnn.NativeMemory",
            // a freshly loaded model's hand-off from the plain Java twins to the Vector API kernels
            "org.vecrnn.infer.HandOff$Layer", "org.vecrnn.infer.HandOff$Act", "org.vecrnn.kernel.ColumnTwinKernel", "org.vecrnn.kernel.Int8ColumnTwinKernel");

    static final List<String> ROOTS = List.of("org/vecrnn/infer/StreamState.step", "org/vecrnn/infer/StreamState.reset",
            "org/vecrnn/infer/StreamState.saveState", "org/vecrnn/infer/StreamState.restoreState",
            // the scalar Activation is a method reference (a hidden class the walk cannot see)
            "org/vecrnn/model/Output.apply");

    @Test
    void stepPathHasNoLocks() {
        Walk w = new Walk(CLASSES);
        w.from(ROOTS);
        System.out.println("lock-free step path: " + w.visited.size() + " methods checked");
        for (String m : List.of("org/vecrnn/kernel/VectorStepKernel.step", "org/vecrnn/kernel/VectorStepKernel.block8",
                "org/vecrnn/kernel/ScalarStepKernel.head", "org/vecrnn/kernel/Int8VectorKernel.block8", "org/vecrnn/kernel/Int8VectorKernel.block1",
                "org/vecrnn/kernel/Int8ScalarKernel.dot", "org/vecrnn/kernel/VectorTanh.apply", "org/vecrnn/quant/QuantizedRnn.isOpen",
                "org/vecrnn/infer/HandOff$Layer.step", "org/vecrnn/kernel/ColumnTwinKernel.dots", "org/vecrnn/kernel/Int8ColumnTwinKernel.pair"))
            assertTrue(w.visited.stream().anyMatch(v -> v.startsWith(m + "(")), "the walk should reach " + m + ": " + w.visited);
        assertEquals(List.of(), w.problems, "locks on the step path");
    }

    @Test
    void theWalkFindsALockTwoCallsDeep() {
        Walk w = new Walk(List.of(Fixture.class.getName()));
        w.from(List.of(internal(Fixture.class) + ".entry"));
        Set<String> where = new HashSet<>();
        for (String p : w.problems) where.add(p.substring(p.indexOf('.') + 1, p.indexOf('(')));
        assertEquals(Set.of("deep", "block", "locked"), where, "synchronized method, monitorenter and ReentrantLock: " + w.problems);
    }

    static final class Fixture {
        private final ReentrantLock lock = new ReentrantLock();

        void entry() {
            middle();
        }

        void middle() {
            deep();
            block();
            locked();
        }

        synchronized void deep() {}

        void block() {
            synchronized (this) {
                Thread.onSpinWait();
            }
        }

        void locked() {
            lock.lock();
            lock.unlock();
        }
    }

    /** A call-graph walk over the given classes' bytecode. */
    static final class Walk {
        final Map<String, ClassModel> models = new HashMap<>();
        final Set<String> visited = new HashSet<>();
        final List<String> problems = new ArrayList<>();

        Walk(List<String> classes) {
            for (String c : classes) models.put(c.replace('.', '/'), parse(c.replace('.', '/')));
        }

        /** Roots as "internal/Name.method" (every overload). */
        void from(List<String> roots) {
            Deque<String[]> todo = new ArrayDeque<>();
            for (String r : roots) {
                int dot = r.lastIndexOf('.');
                ClassModel cm = models.get(r.substring(0, dot));
                for (MethodModel m : cm.methods())
                    if (m.methodName().stringValue().equals(r.substring(dot + 1))) todo.add(new String[] {r.substring(0, dot), m.methodName().stringValue(), m.methodType().stringValue()});
            }
            while (!todo.isEmpty()) {
                String[] t = todo.poll();
                for (String owner : implementations(t[0])) {
                    MethodModel m = find(owner, t[1], t[2]);
                    if (m == null || !visited.add(owner + "." + t[1] + t[2])) continue;
                    String where = owner + "." + t[1] + t[2];
                    if (m.flags().has(AccessFlag.SYNCHRONIZED)) problems.add(where + " is synchronized");
                    if (m.code().isEmpty()) continue;
                    for (CodeElement e : m.code().get()) {
                        if (e instanceof MonitorInstruction mi && mi.opcode() == Opcode.MONITORENTER) problems.add(where + " has a synchronized block");
                        if (e instanceof InvokeInstruction in) {
                            String o = in.owner().asInternalName(), name = in.name().stringValue();
                            if (o.startsWith("java/util/concurrent/locks/") || o.equals("java/lang/Object") && name.equals("wait"))
                                problems.add(where + " calls " + o + "." + name);
                            if (models.containsKey(o)) todo.add(new String[] {o, name, in.type().stringValue()});
                        }
                    }
                }
            }
        }

        /** The class itself and every listed class below it (through superclasses and interfaces). */
        private List<String> implementations(String owner) {
            List<String> out = new ArrayList<>();
            for (String c : models.keySet()) if (isSubtype(c, owner)) out.add(c);
            return out;
        }

        private boolean isSubtype(String c, String of) {
            if (c.equals(of)) return true;
            ClassModel cm = models.get(c);
            if (cm == null) return false;
            if (cm.superclass().isPresent() && isSubtype(cm.superclass().get().asInternalName(), of)) return true;
            for (var i : cm.interfaces()) if (isSubtype(i.asInternalName(), of)) return true;
            return false;
        }

        private MethodModel find(String owner, String name, String type) {
            for (MethodModel m : models.get(owner).methods())
                if (m.methodName().stringValue().equals(name) && m.methodType().stringValue().equals(type)) return m;
            return null;
        }

        private static ClassModel parse(String internal) {
            try (InputStream in = LockFreeStepPathTest.class.getClassLoader().getResourceAsStream(internal + ".class")) {
                if (in == null) throw new IllegalStateException("no class file for " + internal);
                return ClassFile.of().parse(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String internal(Class<?> c) {
        return c.getName().replace('.', '/');
    }
}
