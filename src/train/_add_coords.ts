// The CoordConv input layer: appends awing's coordinate channels (x, y, r) to its input.
import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
import * as tfl from "npm:@tensorflow/tfjs-layers@4.22.0";
import { coordChannels } from "../heatmap/coord_channels.ts";

/** Appends the x, y, r channels of `coordChannels` to an NHWC input (serialisable). */
export class _AddCoords extends tfl.layers.Layer {
  /** The name under which checkpoints store this layer. */
  static className = "AwingAddCoords";

  override computeOutputShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tfl.Shape;
    return [s[0] ?? null, s[1] ?? null, s[2] ?? null, (s[3] ?? 0) + 3];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [b, h, w] = x.shape;
      // coordChannels is [3, H, W]: to [1, H, W, 3], then one copy per image
      const c = tf.transpose(tf.tensor4d(coordChannels(h, w), [1, 3, h, w]), [0, 2, 3, 1]);
      return tf.concat([x, tf.tile(c, [b, 1, 1, 1])], 3);
    });
  }
}
tf.serialization.registerClass(_AddCoords);
