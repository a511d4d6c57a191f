// Adam with TensorFlow.js' update rule in one pass over each variable. tf.train.adam runs about
// a dozen tensor ops per variable and step (some 450 kernel calls for the default U-Net), whose
// dispatch costs more than the arithmetic; this one reads each variable and its gradient once,
// updates its moments in place in JavaScript (float64 arithmetic, stored as float32) and assigns
// the new value as one tensor.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";

type Gradients = Parameters<tf.Optimizer["applyGradients"]>[0];
type NamedTensor = Awaited<ReturnType<tf.Optimizer["getWeights"]>>[number];

/** The optimizer of tfjs-core's `AdamOptimizer`, fused. */
export class _FusedAdam extends tf.Optimizer {
  /** The class name under which TensorFlow.js would serialise it. */
  static readonly className = "AwingFusedAdam";
  /** The step size; may change between steps. */
  learningRate: number;
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  #steps = 0;
  readonly #moments = new Map<string, { m: Float32Array; v: Float32Array }>();

  /** Adam with tfjs-core's defaults: beta1 0.9, beta2 0.999, epsilon the backend's (1e-7). */
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super();
    this.learningRate = learningRate;
    this.#beta1 = beta1;
    this.#beta2 = beta2;
    this.#epsilon = epsilon ?? tf.backend().epsilon();
  }

  /** One update of every variable with a gradient. */
  override applyGradients(variableGradients: Gradients): void {
    const pairs = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    this.#steps++;
    const b1 = this.#beta1, b2 = this.#beta2, eps = this.#epsilon, lr = this.learningRate;
    const c1 = 1 - b1 ** this.#steps, c2 = 1 - b2 ** this.#steps;
    for (const [name, gradient] of pairs) {
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined || !variable.trainable || gradient == null) continue;
      const g = gradient.dataSync() as Float32Array;
      const w = variable.dataSync() as Float32Array;
      let state = this.#moments.get(name);
      if (state === undefined) {
        state = { m: new Float32Array(w.length), v: new Float32Array(w.length) };
        this.#moments.set(name, state);
      }
      const { m, v } = state;
      const out = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        const mi = m[i] = b1 * m[i]! + (1 - b1) * gi;
        const vi = v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        out[i] = w[i]! - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps);
      }
      tf.tidy(() => variable.assign(tf.tensor(out, variable.shape, "float32")));
    }
    this.incrementIterations();
  }

  /** The moments are kept outside TensorFlow.js: not saved with a model. */
  override getWeights(): Promise<NamedTensor[]> {
    return Promise.resolve([]);
  }

  /** Not restorable (see {@link getWeights}). */
  override setWeights(_weights: NamedTensor[]): Promise<void> {
    return Promise.reject(new TypeError("Cannot set the weights of awing's fused Adam"));
  }

  /** The hyper-parameters. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.#beta1,
      beta2: this.#beta2,
      epsilon: this.#epsilon,
    };
  }
}
