package org.vecrnn.cli;

import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.model.Topology;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values with the names used on the command line; a wrong one is a usage error (exit 2). */
final class Converters {
    private Converters() {}

    static final class TopologyConverter implements ITypeConverter<Topology> {
        @Override
        public Topology convert(String s) {
            try {
                return Topology.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LossConverter implements ITypeConverter<Loss> {
        @Override
        public Loss convert(String s) {
            try {
                return Loss.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class OutputConverter implements ITypeConverter<Output> {
        @Override
        public Output convert(String s) {
            try {
                return Output.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
