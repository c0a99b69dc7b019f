package org.vecrnn.onnx;

/**
 * One ONNX {@code RNN} node as a vecrnn layer: {@code h_t = f(W h_{t-1} + U x_t + a_ih + a_hh)} with
 * U [d, n] (ONNX's W), W [d, d] (ONNX's R) and the two halves of ONNX's B (zeros when absent).
 */
record RnnLayer(String node, int level, int n, int d, float[] U, float[] W, float[] biasIh, float[] biasHh, String nonlinearity, int layout,
        String initialState) {}
