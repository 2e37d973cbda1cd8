package kernels

import (
	"sync"
	"time"
)

// PeakGFLOPS measures the fused multiply-add throughput of the current
// implementation: threads goroutines (at least one) each run a loop of 12
// independent vector multiply-add chains for about d, and the result is the
// total number of floating-point operations (two per lane and multiply-add)
// divided by the elapsed time, in units of 10⁹ per second. Running more
// goroutines than GOMAXPROCS measures time sharing, not more hardware.
func PeakGFLOPS(d time.Duration, threads int) float64 {
	im := cur()
	threads = max(1, threads)
	const chunk = 1 << 14
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total float64
		sink  float32
	)
	start := time.Now()
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			var s float32
			for time.Since(start) < d {
				s += im.peak(chunk, float32(t)+1)
				n++
			}
			mu.Lock()
			total += float64(n) * chunk * float64(im.peakFl)
			sink += s
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	_ = sink
	return total / el / 1e9
}
