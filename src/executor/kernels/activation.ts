/** Kernels: Softmax, LogSoftmax, HardSigmoid, LeakyRelu, Relu, Sigmoid, Tanh. */
import type { KernelDef } from '../kernel.js';

export const kernels: KernelDef[] = [];
