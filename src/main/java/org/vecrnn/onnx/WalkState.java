package org.vecrnn.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What the graph walk has learnt so far: the layers by level, and which graph input plays x. */
final class WalkState {
    final TreeMap<Integer, RnnLayer> layers = new TreeMap<>();
    /** The graph input read as the sequence x, and whether it is [T, B, n] (else [B, T, n]). */
    String x;
    boolean xTimeMajor;
    /** Graph inputs read whole as a layer's initial state (not through a Slice), with the layer. */
    final List<String> wholeStateInputs = new ArrayList<>();

    void addLayer(RnnLayer layer) {
        layers.put(layer.level(), layer);
    }

    RnnLayer layer(int level) {
        return layers.get(level);
    }
}
