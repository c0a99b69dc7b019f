/**
 * ONNX files: {@link org.vecrnn.onnx.OnnxImport} recognises an Elman RNN stack with one head in an ONNX graph
 * and gives the tensors a PyTorch state dict of that model holds (the model loader,
 * {@link org.vecrnn.io.ModelFile}, reads an {@code .onnx} path through it); {@link org.vecrnn.onnx.OnnxExport}
 * writes a model as a standard ONNX graph. One handler per op type maps a node onto the pattern, apart from
 * the walk over the graph. Needs {@code com.google.protobuf:protobuf-java} on the class path (an optional
 * dependency of vecrnn); the classes generated from {@code src/main/protobuf/onnx.proto}, in
 * {@code org.vecrnn.onnx.proto}, are internal and appear in no public signature.
 */
package org.vecrnn.onnx;
