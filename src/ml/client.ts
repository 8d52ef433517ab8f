/**
 * Opens the model client a spec names (./model-client.ts is the interface every provider's client
 * implements); the provider modules are loaded on first use.
 */
import type { ModelClient } from './model-client.ts';
import type { ModelSpec } from './spec.ts';

/** Opens the client for a spec (fetching V2 metadata or loading the ONNX file when needed). */
export async function openClient(spec: ModelSpec, signal: AbortSignal): Promise<ModelClient> {
  const p = spec.provider;
  switch (p.kind) {
    case 'kserve-v1': {
      const { openKserveV1 } = await import('./kserve-v1.ts');
      return openKserveV1(spec, p);
    }
    case 'kserve-v2': {
      const { openKserveV2 } = await import('./kserve-v2.ts');
      return openKserveV2(spec, p, signal);
    }
    case 'onnx': {
      // Loaded lazily: the native runtime costs ~100 ms and memory, only for ONNX models.
      const { openOnnx } = await import('./onnx.ts');
      return openOnnx(spec, p);
    }
    case 'trained': {
      const { openTrained } = await import('./learn/client.ts');
      return openTrained(spec, p);
    }
  }
}
