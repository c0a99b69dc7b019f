package org.vecrnn.bench;

import org.openjdk.jmh.annotations.Fork;

/** The Vector API path forced to 256-bit vectors (-Dvecrnn.vectorBits=256), to compare with 512. */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Dvecrnn.vectorBits=256"})
public class StreamBench256 extends StreamBench {}
