package dnn

import (
	"fmt"
	"strings"
)

// DatasetFor names the data set an architecture is trained and evaluated on:
// "mnist" for MLPs over 28×28 images, "cifar10" for the CIFAR ResNets.
func DatasetFor(arch string) (string, error) {
	switch {
	case strings.HasPrefix(arch, "mlp-"):
		return "mnist", nil
	case strings.HasPrefix(arch, "resnet"):
		return "cifar10", nil
	}
	return "", fmt.Errorf("%w %q: no data set is known for it", ErrUnknownArch, arch)
}

// LoadDataset loads the training and test sets of a named data set from
// dir ("" means the default location: the GoMNIST module for MNIST, the
// COSIM_CIFAR10 environment variable for CIFAR-10).
func LoadDataset(name, dir string) (train, test *Dataset, err error) {
	switch name {
	case "mnist":
		return LoadMNIST(dir)
	case "cifar10":
		return LoadCIFAR10(dir)
	}
	return nil, nil, fmt.Errorf("unknown data set %q (want mnist or cifar10)", name)
}
