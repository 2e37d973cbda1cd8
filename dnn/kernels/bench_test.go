package kernels

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"cosim/internal/seed"
)

// resnet20Shapes are the GEMMs of CIFAR ResNet-20 at batch 64, written
// (M, K, N) = (filters, C·R·S, batch·P·Q).
var resnet20Shapes = []struct{ m, k, n int }{
	{16, 27, 65536}, {16, 144, 65536}, {32, 144, 16384}, {32, 288, 16384},
	{64, 288, 4096}, {64, 576, 4096}, {32, 16, 16384}, {64, 32, 4096}, {10, 64, 64},
}

var (
	peakMu sync.Mutex
	peakG  = map[string]float64{}
)

// benchPeak is the FMA peak of the current implementation with GOMAXPROCS
// threads, measured once per process and setting (best of three).
func benchPeak() float64 {
	peakMu.Lock()
	defer peakMu.Unlock()
	key := fmt.Sprint(Impl(), runtime.GOMAXPROCS(0))
	if g, ok := peakG[key]; ok {
		return g
	}
	g := 0.0
	for i := 0; i < 3; i++ {
		g = max(g, PeakGFLOPS(100*time.Millisecond, runtime.GOMAXPROCS(0)))
	}
	peakG[key] = g
	return g
}

// peak1 is the single-thread FMA peak, measured once per process.
func peak1() float64 {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	return benchPeak()
}

func reportFlops(b *testing.B, flopsPerOp float64) {
	g := flopsPerOp * float64(b.N) / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(g, "GFLOPS")
	if Impl() != "generic" {
		b.ReportMetric(100*g/benchPeak(), "%peak")
	}
}

func BenchmarkGemm(b *testing.B) {
	benchPeak()
	for _, s := range append(resnet20Shapes, struct{ m, k, n int }{1024, 1024, 1024}) {
		b.Run(fmt.Sprintf("M%d_K%d_N%d", s.m, s.k, s.n), func(b *testing.B) {
			r := seed.Stream(3)
			a, bb, c := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), make([]float32, s.m*s.n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				Gemm(s.m, s.n, s.k, a, s.k, bb, s.n, c, s.n, false)
			}
			reportFlops(b, 2*float64(s.m*s.n*s.k))
		})
	}
}

func BenchmarkPeakGFLOPS(b *testing.B) {
	for _, th := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("threads%d", th), func(b *testing.B) {
			var g float64
			for i := 0; i < b.N; i++ {
				g = PeakGFLOPS(100*time.Millisecond, th)
			}
			b.ReportMetric(g, "GFLOPS")
		})
	}
}

// resnet20Convs are the convolutions of CIFAR ResNet-20 at batch 64.
var resnet20Convs = []struct {
	name string
	g    ConvGeom
}{
	{"conv1_3to16_32x32", ConvGeom{C: 3, N: 64, H: 32, W: 32, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
	{"s1_16to16_32x32", ConvGeom{C: 16, N: 64, H: 32, W: 32, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
	{"s2a_16to32_stride2", ConvGeom{C: 16, N: 64, H: 32, W: 32, K: 32, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}},
	{"s2_32to32_16x16", ConvGeom{C: 32, N: 64, H: 16, W: 16, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
	{"s3a_32to64_stride2", ConvGeom{C: 32, N: 64, H: 16, W: 16, K: 64, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}},
	{"s3_64to64_8x8", ConvGeom{C: 64, N: 64, H: 8, W: 8, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}},
	{"ds_16to32_1x1s2", ConvGeom{C: 16, N: 64, H: 32, W: 32, K: 32, R: 1, S: 1, StrideH: 2, StrideW: 2}},
	{"ds_32to64_1x1s2", ConvGeom{C: 32, N: 64, H: 16, W: 16, K: 64, R: 1, S: 1, StrideH: 2, StrideW: 2}},
}

func BenchmarkConv2D(b *testing.B) {
	benchPeak()
	for _, c := range resnet20Convs {
		g := c.g
		b.Run(c.name, func(b *testing.B) {
			r := seed.Stream(8)
			x, w := randSlice(r, g.C*g.N*g.H*g.W), randSlice(r, g.K*g.ColRows())
			out := make([]float32, g.K*g.ColCols())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				Conv2D(out, w, x, g, false)
			}
			reportFlops(b, 2*float64(g.K)*float64(g.ColRows())*float64(g.ColCols()))
		})
	}
}

// BenchmarkIm2col reports the bytes of im2col matrix written per second.
func BenchmarkIm2col(b *testing.B) {
	for _, c := range resnet20Convs[1:3] {
		g := c.g
		b.Run(c.name, func(b *testing.B) {
			x := randSlice(seed.Stream(9), g.C*g.N*g.H*g.W)
			col := make([]float32, g.ColRows()*g.ColCols())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				Im2col(col, x, g.C, g.N, g.H, g.W, g.R, g.S, g.StrideH, g.StrideW, g.PadH, g.PadW)
			}
			b.ReportMetric(float64(4*len(col))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}

// BenchmarkGemmBackward covers the backward-pass products of ResNet-20
// layers at batch 64: dW = dY·colᵀ (GemmTB, reduction over N·P·Q) and
// dcol = Wᵀ·dY (GemmTA).
func BenchmarkGemmBackward(b *testing.B) {
	benchPeak()
	for _, s := range []struct{ k, crs, npq int }{{16, 144, 65536}, {32, 288, 16384}, {64, 576, 4096}} {
		b.Run(fmt.Sprintf("TB_dW_M%d_N%d_K%d", s.k, s.crs, s.npq), func(b *testing.B) {
			r := seed.Stream(13)
			dy, col, dw := randSlice(r, s.k*s.npq), randSlice(r, s.crs*s.npq), make([]float32, s.k*s.crs)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				GemmTB(s.k, s.crs, s.npq, dy, s.npq, col, s.npq, dw, s.crs, false)
			}
			reportFlops(b, 2*float64(s.k*s.crs*s.npq))
		})
		b.Run(fmt.Sprintf("TA_dcol_M%d_N%d_K%d", s.crs, s.npq, s.k), func(b *testing.B) {
			r := seed.Stream(14)
			w, dy, dcol := randSlice(r, s.k*s.crs), randSlice(r, s.k*s.npq), make([]float32, s.crs*s.npq)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				GemmTA(s.crs, s.npq, s.k, w, s.crs, dy, s.npq, dcol, s.npq, false)
			}
			reportFlops(b, 2*float64(s.k*s.crs*s.npq))
		})
	}
}

// BenchmarkResNet20Forward runs the kernel sequence of one CIFAR ResNet-20
// inference on a batch of 64 (convolutions with batch-norm folded into
// ScaleShift, ReLU, residual AddReLU, global average pooling and the final
// fully connected layer) and reports images per second. It is the kernels'
// share of the engine's throughput: no quantisation, no fault injection.
func BenchmarkResNet20Forward(b *testing.B) {
	const batch = 64
	r := seed.Stream(15)
	type convLayer struct {
		g            ConvGeom
		w            []float32
		scale, shift []float32
	}
	mk := func(c, k, h, rs, stride, pad int) convLayer {
		g := ConvGeom{C: c, N: batch, H: h, W: h, K: k, R: rs, S: rs, StrideH: stride, StrideW: stride, PadH: pad, PadW: pad}
		w := randSlice(r, k*g.ColRows())
		for i := range w {
			w[i] *= 0.1
		}
		scale, shift := make([]float32, k), make([]float32, k)
		for i := range scale {
			scale[i], shift[i] = 1, 0.01
		}
		return convLayer{g, w, scale, shift}
	}
	type block struct{ a, b, ds *convLayer }
	var blocks []block
	c, h := 16, 32
	for stage, width := range []int{16, 32, 64} {
		for i := 0; i < 3; i++ {
			stride := 1
			if stage > 0 && i == 0 {
				stride = 2
			}
			a := mk(c, width, h, 3, stride, 1)
			bl := block{a: &a}
			h2 := a.g.P()
			bb := mk(width, width, h2, 3, 1, 1)
			bl.b = &bb
			if stride != 1 || c != width {
				ds := mk(c, width, h, 1, stride, 0)
				bl.ds = &ds
			}
			blocks = append(blocks, bl)
			c, h = width, h2
		}
	}
	stem := mk(3, 16, 32, 3, 1, 1)
	fc := randSlice(r, 10*64)
	x := randSlice(r, 3*batch*32*32)
	buf := func() []float32 { return make([]float32, 16*batch*32*32) }
	cur, t1, t2, sc := buf(), buf(), buf(), buf()
	pooled, logits := make([]float32, 64*batch), make([]float32, 10*batch)
	conv := func(l *convLayer, out, in []float32, relu bool) {
		Conv2D(out, l.w, in, l.g, false)
		ScaleShift(out, l.g.K, l.g.ColCols(), l.scale, l.shift, relu)
	}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		conv(&stem, cur, x, true)
		for _, bl := range blocks {
			conv(bl.a, t1, cur, true)
			conv(bl.b, t2, t1, false)
			n := bl.b.g.K * bl.b.g.ColCols()
			res := cur
			if bl.ds != nil {
				conv(bl.ds, sc, cur, false)
				res = sc
			}
			AddReLU(t1[:n], t2[:n], res[:n])
			cur, t1 = t1, cur
		}
		RowMeans(pooled, cur, 64*batch, 8*8)
		Gemm(10, batch, 64, fc, 64, pooled, batch, logits, batch, false)
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkConvWeightGrad is the weight gradient dW = dY·Im2col(x)ᵀ of the
// ResNet-20 convolutions at batch 64, without materialising Im2col(x).
func BenchmarkConvWeightGrad(b *testing.B) {
	benchPeak()
	for _, c := range resnet20Convs {
		g := c.g
		b.Run(c.name, func(b *testing.B) {
			r := seed.Stream(16)
			x, dy := randSlice(r, g.C*g.N*g.H*g.W), randSlice(r, g.K*g.ColCols())
			dw := make([]float32, g.K*g.ColRows())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ConvWeightGrad(dw, dy, x, g, false)
			}
			reportFlops(b, 2*float64(g.K)*float64(g.ColRows())*float64(g.ColCols()))
		})
	}
}

// resnet20LaneConvs are the convolutions of CIFAR ResNet-20 on one group of
// LaneWidth images in the inference engine's lane layout.
var resnet20LaneConvs = []struct {
	name string
	cv   LaneConv
}{
	{"conv1_3to16_32x32", LaneConv{In: LaneShape{3, 32, 32, 1}, Out: LaneShape{16, 32, 32, 1}, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"s1_16to16_32x32", LaneConv{In: LaneShape{16, 32, 32, 1}, Out: LaneShape{16, 32, 32, 1}, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"s2a_16to32_stride2", LaneConv{In: LaneShape{16, 32, 32, 1}, Out: LaneShape{32, 16, 16, 1}, R: 3, S: 3, Stride: 2, Pad: 1}},
	{"s2_32to32_16x16", LaneConv{In: LaneShape{32, 16, 16, 1}, Out: LaneShape{32, 16, 16, 1}, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"s3a_32to64_stride2", LaneConv{In: LaneShape{32, 16, 16, 1}, Out: LaneShape{64, 8, 8, 1}, R: 3, S: 3, Stride: 2, Pad: 1}},
	{"s3_64to64_8x8", LaneConv{In: LaneShape{64, 8, 8, 1}, Out: LaneShape{64, 8, 8, 1}, R: 3, S: 3, Stride: 1, Pad: 1}},
	{"ds_16to32_1x1s2", LaneConv{In: LaneShape{16, 32, 32, 1}, Out: LaneShape{32, 16, 16, 1}, R: 1, S: 1, Stride: 2, Pad: 0}},
	{"ds_32to64_1x1s2", LaneConv{In: LaneShape{32, 16, 16, 1}, Out: LaneShape{64, 8, 8, 1}, R: 1, S: 1, Stride: 2, Pad: 0}},
}

// BenchmarkLaneConv runs one lane convolution (bias, residual, ReLU
// epilogue) on the calling goroutine and reports GFLOPS against the
// single-thread peak.
func BenchmarkLaneConv(b *testing.B) {
	peak1()
	for _, c := range resnet20LaneConvs {
		cv := c.cv
		b.Run(c.name, func(b *testing.B) {
			r := seed.Stream(17)
			in := randSlice(r, cv.In.Len())
			w := randSlice(r, cv.Out.C*cv.In.C*cv.R*cv.S)
			bias := randSlice(r, cv.Out.C)
			res := randSlice(r, cv.Out.Len())
			out := make([]float32, cv.Out.Len())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				LaneConvForward(out, in, w, bias, res, cv, true, nil)
			}
			fl := 2 * float64(cv.Out.C*cv.In.C*cv.R*cv.S) * float64(cv.Out.H*cv.Out.W*LaneWidth)
			g := fl * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(g, "GFLOPS")
			if Impl() != "generic" {
				b.ReportMetric(100*g/peak1(), "%peak1")
			}
		})
	}
}

// BenchmarkLaneWinograd runs the stride-1 3×3 lane convolutions of
// ResNet-20 by Winograd F(2×2, 3×3) on the calling goroutine; GFLOPS counts
// the direct convolution's operations (2·K·C·9 per output), so it compares
// with BenchmarkLaneConv.
func BenchmarkLaneWinograd(b *testing.B) {
	peak1()
	for _, c := range resnet20LaneConvs {
		cv := c.cv
		if !WinogradApplies(cv) {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			r := seed.Stream(18)
			in := randSlice(r, cv.In.Len())
			w := randSlice(r, cv.Out.C*cv.In.C*9)
			u := make([]float32, 16*cv.Out.C*cv.In.C)
			WinogradWeights(u, w, cv.Out.C, cv.In.C)
			bias := randSlice(r, cv.Out.C)
			res := randSlice(r, cv.Out.Len())
			out := make([]float32, cv.Out.Len())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				LaneWinograd(out, in, u, bias, res, cv, true, nil, nil)
			}
			fl := 2 * float64(cv.Out.C*cv.In.C*9) * float64(cv.Out.H*cv.Out.W*LaneWidth)
			g := fl * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(g, "GFLOPS")
			if Impl() != "generic" {
				b.ReportMetric(100*g/peak1(), "%peak1")
			}
		})
	}
}
