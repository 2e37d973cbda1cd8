//go:build !(goexperiment.simd && amd64)

package kernels

// missing says why a SIMD implementation is absent: this build has only
// the plain-Go kernels.
func missing(string) string {
	return "this build has no SIMD kernels (they need amd64 and GOEXPERIMENT=simd)"
}
