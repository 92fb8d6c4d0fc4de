// The training bundle's tree code uses WebAssembly SIMD (Chrome and Edge 91+, Firefox 89+,
// Safari 16.4+). Without it the bundle would not compile and the browser's message would
// name an opcode; simdOrRefuse says what is missing and the way round it.

// The smallest module with a SIMD instruction: one function returning v128.const 0.
export const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function, of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array(16).fill(0), 0x0b, // v128.const 0; end
]);

/** Whether this engine runs WebAssembly SIMD. */
export function simdSupported() {
  return WebAssembly.validate(SIMD_PROBE);
}

/** Rejects, with what to do, where the training bundle cannot run. */
export async function simdOrRefuse() {
  if (!simdSupported()) {
    throw new Error(
      'This browser cannot run the trainer: it needs WebAssembly SIMD (Chrome or Edge 91+, Firefox 89+, Safari 16.4+). Update the browser, or train with the CLI (funnelcast train) and load the model here.',
    );
  }
}
