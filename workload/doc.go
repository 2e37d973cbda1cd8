// Package workload holds what a network asks of an accelerator: the shapes
// of its convolution and fully connected layers (Layer, Workload, in the
// C, K, R, S, P, Q, N notation of Eyeriss and Timeloop), the topology of the
// residual networks (ResNet), and the built-in layer sets (BuiltinWorkload:
// AlexNet, VGG-16, the CIFAR ResNets, ResNet-18). Package dnn builds and
// trains networks from these topologies and derives a trained network's
// workload; the accelerator models price workloads.
package workload
